/**
 * Authentication: JWT verification and issuing (and JWK sets from a URL), API keys and the accounts' plans,
 * password hashing on its own bounded executor, and the failed-login throttle. It turns credentials into the
 * request's {@link io.spillway.web.Caller}.
 */
package io.spillway.auth;
