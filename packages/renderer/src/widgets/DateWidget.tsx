import { type DateValue, parseAbsolute, parseDate } from '@internationalized/date';
import {
  Button,
  Calendar,
  CalendarCell,
  CalendarGrid,
  DateInput,
  DatePicker,
  DateSegment,
  Dialog,
  Group,
  Heading,
  Popover,
} from 'react-aria-components';
import type { WidgetProps } from './types.js';

function toDateValue(value: unknown, withTime: boolean, timeZone: string): DateValue | null {
  if (typeof value !== 'string' || value === '') return null;
  try {
    return withTime ? parseAbsolute(value, timeZone) : parseDate(value.slice(0, 10));
  } catch {
    return null;
  }
}

/**
 * Date and datetime: segments typed in the user's language (年/月/日 in zh-CN) with a calendar;
 * a datetime is read and written as an instant on the user's clock (their time zone).
 */
export function DateWidget({
  field,
  id,
  value,
  onChange,
  onBlur,
  invalid,
  describedBy,
  required,
  ctx,
}: WidgetProps) {
  const withTime =
    field.type === 'datetime' || (field.type === 'formula' && field.returns === 'datetime');
  return (
    <DatePicker
      className="at-date"
      aria-labelledby={`${id}-label`}
      aria-describedby={describedBy}
      value={toDateValue(value, withTime, ctx.timeZone)}
      granularity={withTime ? 'minute' : 'day'}
      hourCycle={24}
      onChange={(next) => {
        if (!next) onChange('');
        else if ('timeZone' in next) onChange(next.toDate().toISOString());
        else onChange(next.toString());
      }}
      onBlur={onBlur}
      isInvalid={invalid}
      isRequired={required}
    >
      <Group className="at-input at-date-group">
        <DateInput className="at-date-input">
          {(segment) => <DateSegment className="at-date-segment" segment={segment} />}
        </DateInput>
        <Button className="at-icon-button" aria-label="📅">
          <span aria-hidden="true">▾</span>
        </Button>
      </Group>
      <Popover className="at-popover">
        <Dialog className="at-calendar-dialog">
          <Calendar className="at-calendar">
            <header className="at-calendar-header">
              <Button slot="previous" className="at-icon-button">
                ‹
              </Button>
              <Heading className="at-calendar-heading" />
              <Button slot="next" className="at-icon-button">
                ›
              </Button>
            </header>
            <CalendarGrid className="at-calendar-grid">
              {(date) => <CalendarCell className="at-calendar-cell" date={date} />}
            </CalendarGrid>
          </Calendar>
        </Dialog>
      </Popover>
    </DatePicker>
  );
}
