package csv

import (
	"errors"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
)

// timestampLayouts are the forms a timestamp column accepts, tried in
// order: RFC 3339 with or without fractional seconds, the same with a
// space instead of the T (as pandas and SQL write it), with no zone
// (taken as the column's time zone, UTC when it has none), and a bare date.
var timestampLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// parseTimestamp parses one timestamp field into the column's unit. An
// integer is taken as a count of that unit since the Unix epoch.
func parseTimestamp(v []byte, ts *arrow.TimestampType) (int64, error) {
	if x, err := parseInt(v); err == nil {
		return x, nil
	}
	loc := time.UTC
	if ts.TimeZone != "" && ts.TimeZone != "UTC" {
		l, err := time.LoadLocation(ts.TimeZone)
		if err != nil {
			return 0, err
		}
		loc = l
	}
	s := string(v)
	for _, layout := range timestampLayouts {
		t, err := time.ParseInLocation(layout, s, loc)
		if err != nil {
			continue
		}
		switch ts.Unit {
		case arrow.Second:
			return t.Unix(), nil
		case arrow.Millisecond:
			return t.UnixMilli(), nil
		case arrow.Microsecond:
			return t.UnixMicro(), nil
		default:
			if t.Year() < 1678 || t.Year() > 2261 {
				return 0, errors.New("timestamp out of the nanosecond range (years 1678-2261)")
			}
			return t.UnixNano(), nil
		}
	}
	return 0, errors.New("not a timestamp (want RFC 3339, \"YYYY-MM-DD hh:mm:ss[.fff]\", a date, or an integer count of " + ts.Unit.String() + ")")
}

// appendTimestamp writes v (in unit) as RFC 3339 in UTC, with as many
// fractional digits as the value needs.
func appendTimestamp(b []byte, v int64, unit arrow.TimeUnit) []byte {
	var t time.Time
	switch unit {
	case arrow.Second:
		t = time.Unix(v, 0)
	case arrow.Millisecond:
		t = time.UnixMilli(v)
	case arrow.Microsecond:
		t = time.UnixMicro(v)
	default:
		t = time.Unix(0, v)
	}
	return t.UTC().AppendFormat(b, time.RFC3339Nano)
}
