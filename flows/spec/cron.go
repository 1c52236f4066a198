package spec

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Cron is a parsed five-field cron schedule: minute, hour, day of month,
// month, day of week (0-7, 0 and 7 are Sunday), in the time zone of the
// times given to Next. Each field is "*", a value, a range "a-b", a step
// "*/n", "a-b/n" or "a/n", or a comma-separated list of these; months and
// weekdays also take three-letter names (jan, mon). As in Vixie cron, when
// both the day of month and the day of week are restricted, a day matches
// if either does.
type Cron struct {
	src                      string
	min, hour, dom, mon, dow uint64 // bit i set: value i matches
	domStar, dowStar         bool
}

type cronField struct {
	name   string
	lo, hi int
	names  []string // names[i] is value lo+i
}

var cronFields = [5]cronField{
	{name: "minute", lo: 0, hi: 59},
	{name: "hour", lo: 0, hi: 23},
	{name: "day of month", lo: 1, hi: 31},
	{name: "month", lo: 1, hi: 12, names: []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}},
	{name: "day of week", lo: 0, hi: 7, names: []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
}

// ParseCron parses a five-field cron expression. Errors name the field
// and the bad part.
func ParseCron(s string) (*Cron, error) {
	parts := strings.Fields(s)
	if len(parts) != 5 {
		return nil, fmt.Errorf("cron %q: want 5 fields (minute hour day-of-month month day-of-week), got %d", s, len(parts))
	}
	c := &Cron{src: s}
	dst := [5]*uint64{&c.min, &c.hour, &c.dom, &c.mon, &c.dow}
	for i, p := range parts {
		bits, err := parseCronField(cronFields[i], p)
		if err != nil {
			return nil, fmt.Errorf("cron %q: %s field %q: %w", s, cronFields[i].name, p, err)
		}
		*dst[i] = bits
	}
	if c.dow&(1<<7) != 0 {
		c.dow |= 1 // 7 is Sunday too
	}
	c.domStar = parts[2] == "*" || parts[2] == "?"
	c.dowStar = parts[4] == "*" || parts[4] == "?"
	return c, nil
}

func parseCronField(f cronField, s string) (uint64, error) {
	var bits uint64
	for _, item := range strings.Split(s, ",") {
		if item == "" {
			return 0, fmt.Errorf("empty list item")
		}
		rng, stepStr, hasStep := strings.Cut(item, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepStr)
			if err != nil || n < 1 || n > f.hi-f.lo+1 {
				return 0, fmt.Errorf("step %q: want an integer in [1, %d]", stepStr, f.hi-f.lo+1)
			}
			step = n
		}
		lo, hi := f.lo, f.hi
		switch {
		case rng == "*" || rng == "?":
		default:
			a, b, isRange := strings.Cut(rng, "-")
			var err error
			if lo, err = cronValue(f, a); err != nil {
				return 0, err
			}
			switch {
			case isRange:
				if hi, err = cronValue(f, b); err != nil {
					return 0, err
				}
				if hi < lo {
					return 0, fmt.Errorf("range %s: end before start", rng)
				}
			case !hasStep:
				hi = lo
			}
		}
		for v := lo; v <= hi; v += step {
			bits |= 1 << uint(v)
		}
	}
	return bits, nil
}

func cronValue(f cronField, s string) (int, error) {
	for i, n := range f.names {
		if strings.EqualFold(s, n) {
			return f.lo + i, nil
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < f.lo || v > f.hi {
		return 0, fmt.Errorf("value %q: want %d-%d", s, f.lo, f.hi)
	}
	return v, nil
}

// String returns the expression as written.
func (c *Cron) String() string { return c.src }

func (c *Cron) dayMatches(t time.Time) bool {
	dom := c.dom&(1<<uint(t.Day())) != 0
	dow := c.dow&(1<<uint(t.Weekday())) != 0
	switch {
	case c.domStar && c.dowStar:
		return true
	case c.domStar:
		return dow
	case c.dowStar:
		return dom
	}
	return dom || dow
}

// Next returns the first time strictly after t (at a whole minute, in t's
// location) that the schedule matches, or the zero time if there is none
// within five years (as for "0 0 30 2 *").
func (c *Cron) Next(t time.Time) time.Time {
	loc := t.Location()
	t = t.Truncate(time.Minute).Add(time.Minute)
	limit := t.AddDate(5, 0, 0)
	for t.Before(limit) {
		if c.mon&(1<<uint(t.Month())) == 0 {
			t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, loc)
			continue
		}
		if !c.dayMatches(t) {
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc)
			continue
		}
		if c.hour&(1<<uint(t.Hour())) == 0 {
			next := time.Date(t.Year(), t.Month(), t.Day(), t.Hour()+1, 0, 0, 0, loc)
			if !next.After(t) { // a DST gap or fold: step by wall time
				next = t.Add(time.Hour).Truncate(time.Hour)
			}
			t = next
			continue
		}
		if c.min&(1<<uint(t.Minute())) == 0 {
			t = t.Add(time.Minute)
			continue
		}
		return t
	}
	return time.Time{}
}
