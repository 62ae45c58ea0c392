/**
 * Typed, validated configuration records read once at start. {@code defaults.json} is the one place defaults
 * live: {@link io.spillway.config.ConfigSource} merges it with the config file and the environment, the
 * records read every key from that merged tree, and their constructors check their own rules, so a record
 * cannot exist in an invalid state however it is built. Here too: how a bad value is reported, the choices
 * config names ({@link io.spillway.config.ConfigChoice} enums, such as a request's
 * {@link io.spillway.config.Priority}), and the value types rules are made of (route patterns, CIDR ranges,
 * HTTP methods). It imports no other Spillway package.
 */
package io.spillway.config;
