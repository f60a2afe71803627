/**
 * Runs a task one at a time. A request while it runs is not lost and not queued up: it makes
 * exactly one more run after the current one. Used by the job runner, the hook dispatcher and
 * the intent-model trainer, which are all woken far more often than they need to run.
 */
export class Coalescer {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly task: () => Promise<void>) {}

  get busy(): boolean {
    return this.running !== null;
  }

  request(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.task().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        void this.request();
      }
    });
    return this.running;
  }

  /** Resolves when no run is under way (including the extra run a late request asked for). */
  async settled(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
  }
}
