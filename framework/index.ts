// The public surface of Daybook. Everything outside framework/ imports from here, by name.

export { DaybookError, DefinitionError, PartitionError, PlanError, MaterializationError, StoreError, PublishError } from './util/errors.ts';
export type { DaybookErrorCode, DaybookErrorOptions } from './util/errors.ts';
export type { Calendar, Closure, EarlyClose, SessionHours } from './partitions/calendar.ts';
export { createCalendar, type CalendarOptions } from './partitions/create-calendar.ts';
