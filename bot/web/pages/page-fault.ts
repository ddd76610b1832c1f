/** A refusal of the page layer itself (not of the engine): rendered with its status, code and message. */
export class PageFault extends Error {
  override name = 'PageFault';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
