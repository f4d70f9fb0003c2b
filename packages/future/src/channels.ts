/**
 * The diagnostics channels of `diagnostics.ts`'s events, as `node:diagnostics_channel` objects:
 * what executors publish on. Not part of `@x/future/runtime`: a pool's worker, which loads only
 * that, publishes nothing, and making the eleven channels costs a fresh thread ~1M instructions.
 *
 * @module
 */
import diagnosticsChannel from 'node:diagnostics_channel'

/**
 * The channels, by event. Publishers use them (`if (channels.x.hasSubscribers) channels.x.publish(...)`);
 * subscribers use the names in {@link channelNames} with `diagnostics_channel.subscribe(name, fn)`.
 *
 * @example
 * ```ts
 * import diagnosticsChannel from 'node:diagnostics_channel'
 * import { channelNames } from '@x/future'
 * diagnosticsChannel.subscribe(channelNames.futureSubmit, (event) => console.log('submitted', event))
 * ```
 *
 * @since 0.1.0
 */
export const channels = {
  /** Publishes {@link ExecutorCreateEvent}. */
  executorCreate: diagnosticsChannel.channel('@x/future:executor:create'),
  /** Publishes {@link ExecutorShutdownEvent}. */
  executorShutdown: diagnosticsChannel.channel('@x/future:executor:shutdown'),
  /** Publishes {@link FutureSubmitEvent}. */
  futureSubmit: diagnosticsChannel.channel('@x/future:future:submit'),
  /** Publishes {@link FutureStartEvent}. */
  futureStart: diagnosticsChannel.channel('@x/future:future:start'),
  /** Publishes {@link FutureFinishEvent}. */
  futureFinish: diagnosticsChannel.channel('@x/future:future:finish'),
  /** Publishes {@link FutureCancelEvent}. */
  futureCancel: diagnosticsChannel.channel('@x/future:future:cancel'),
  /** Publishes {@link WaitStartEvent}. */
  waitStart: diagnosticsChannel.channel('@x/future:wait:start'),
  /** Publishes {@link WaitEndEvent}. */
  waitEnd: diagnosticsChannel.channel('@x/future:wait:end'),
  /** Publishes {@link WorkerExitEvent}. */
  workerExit: diagnosticsChannel.channel('@x/future:worker:exit'),
  /** Publishes {@link DependencyStartEvent}. */
  dependencyStart: diagnosticsChannel.channel('@x/future:dependency:start'),
  /** Publishes {@link DependencyEndEvent}. */
  dependencyEnd: diagnosticsChannel.channel('@x/future:dependency:end'),
} as const
