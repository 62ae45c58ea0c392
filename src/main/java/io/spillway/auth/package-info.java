/**
 * Authentication: JWT verification and issuing, API keys, password hashing. It turns credentials into the
 * request's {@link io.spillway.web.Caller}.
 */
package io.spillway.auth;
