// Fans server events out to their subscribers: the SSE streams of GET /api/events, which bound their
// own queues.
import type { ServerEvent } from './api-types.ts';

/**
 * Publish/subscribe for run, step and partition events.
 *
 * @example
 * const stop = hub.subscribe((event) => console.log(event.type));
 * hub.publish({ type: 'partitions', assets: ['northbridge/pnl'], at: new Date().toISOString() });
 */
export class EventHub {
  readonly #subscribers = new Set<(event: ServerEvent) => void>();

  subscribe(listener: (event: ServerEvent) => void): () => void {
    this.#subscribers.add(listener);
    return () => this.#subscribers.delete(listener);
  }

  publish(event: ServerEvent): void {
    for (const listener of this.#subscribers) {
      try {
        listener(event);
      } catch (error) {
        console.error('daybook server: an event subscriber failed:', error);
      }
    }
  }
}
