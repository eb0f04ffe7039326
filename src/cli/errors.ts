/**
 * The CLI's one error: a failure with the exit code scripts rely on, as docker-machine uses them (1 in general, 3
 * when a driver pre-create check fails or a deadline passed). `runAction` prints its message and exits with its code.
 */
export class CliExit extends Error {
  constructor(
    readonly exitCode: number,
    message = '',
  ) {
    super(message);
  }
}
