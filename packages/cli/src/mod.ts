/** The fsjournal CLI as a library: build or run the program in-process (tests). */
export { buildProgram, runCli, VERSION, type CliIo } from './program.js';
export { CliError, CLI_ERROR_CODES, type CliErrorCode } from './errors.js';
