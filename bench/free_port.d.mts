/** Types of bench/free_port.mjs (see there). */

/** A loopback port nothing listens on right now. */
export declare function freePort(): Promise<number>;
