/**
 * @fsjournal/replica. Built by the replication issue; until then this package
 * only reserves its place in the dependency chain journal <- replica <- api <- cli.
 */
export const PACKAGE_NAME = '@fsjournal/replica';
