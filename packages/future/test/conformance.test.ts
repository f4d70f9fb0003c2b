// The backend conformance suite, run against the reference implementation.
import { describeExecutorConformance } from '../src/testing/index.js'
import { AsyncPoolExecutor } from '../src/index.js'

describeExecutorConformance('AsyncPoolExecutor', (options) => new AsyncPoolExecutor(options), { progress: true, stream: true })
