// Market calendars on the framework's Calendar interface. Users pass instances in configuration.

export { xnys } from './xnys.ts';
export type { XnysOptions } from './xnys.ts';
export { weekdays } from './weekdays.ts';
export type { WeekdaysOptions } from './weekdays.ts';
