/**
 * Typed, validated configuration records read once at start: the one place defaults live
 * ({@code defaults.json}), how a bad value is reported, and the value types rules are made of (route patterns,
 * CIDR ranges, HTTP methods). It imports no other Spillway package.
 */
package io.spillway.config;
