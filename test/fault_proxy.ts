/**
 * The fault-injecting TCP proxy for the network fault tests. One
 * implementation, in plain JavaScript under bench/ so that the soak bench
 * runs it without a build (types in bench/fault_proxy.d.mts).
 */
export {
  FAULTS,
  FaultProxy,
  type Fault,
  type FaultEvent,
  type FaultMode,
  type FaultRng,
  type Schedule,
  type ScheduleOptions,
} from '../bench/fault_proxy.mjs';
