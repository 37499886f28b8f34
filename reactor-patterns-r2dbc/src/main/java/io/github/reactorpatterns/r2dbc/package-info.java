/**
 * The asyncio database patterns on R2DBC: an asyncpg-style pool with safe defaults, {@code fetchrow} per id under
 * a concurrency limit, rows streamed from a server-side cursor, a unit of work that commits on success and rolls
 * back on error or cancel, and a caller's deadline that reaches the database server.
 *
 * <p>{@link io.github.reactorpatterns.r2dbc.Database} is the entry point;
 * {@link io.github.reactorpatterns.r2dbc.Session} is the connection a transaction function works with. Everything runs
 * on the R2DBC SPI and r2dbc-pool; with r2dbc-postgresql, a cancelled statement is also cancelled on the server.
 */
@NullMarked
package io.github.reactorpatterns.r2dbc;

import org.jspecify.annotations.NullMarked;
