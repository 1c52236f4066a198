// Package rowtime reads per-row times from Arrow columns for the online
// evaluation operators (online/drift, online/prequential, online/delayed):
// timestamp columns of any unit and int64 columns of milliseconds, as
// microseconds since the Unix epoch.
package rowtime

import (
	"fmt"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/eddyml/eddy/pipeline/table"
)

// Column reads the times of one column of a batch.
type Column struct {
	name string
	ts   []arrow.Timestamp
	ms   []int64
	mul  int64 // multiply to get µs (when > 0)
	div  int64 // divide to get µs (when > 0)
	arr  arrow.Array
}

// Bind returns the time column col of rec: an Arrow timestamp (any unit) or
// an int64 of milliseconds since the epoch.
func Bind(rec arrow.Record, col string) (Column, error) {
	ci, err := table.FieldIndex(rec.Schema(), col)
	if err != nil {
		return Column{}, err
	}
	arr := rec.Column(ci)
	c := Column{name: col, arr: arr, mul: 1}
	switch a := arr.(type) {
	case *array.Timestamp:
		c.ts = a.TimestampValues()
		switch a.DataType().(*arrow.TimestampType).Unit {
		case arrow.Second:
			c.mul = 1e6
		case arrow.Millisecond:
			c.mul = 1e3
		case arrow.Microsecond:
		case arrow.Nanosecond:
			c.mul, c.div = 0, 1e3
		}
	case *array.Int64:
		c.ms = a.Int64Values()
	default:
		return Column{}, fmt.Errorf("column %q: type %s, want a timestamp or int64 milliseconds", col, arr.DataType())
	}
	return c, nil
}

// Micros returns row i's time in microseconds since the epoch; a null is an
// error naming the column and row (offset by start).
func (c Column) Micros(i int, start int64) (int64, error) {
	if c.arr.IsNull(i) {
		return 0, fmt.Errorf("column %q row %d: null time", c.name, start+int64(i))
	}
	if c.ms != nil {
		return c.ms[i] * 1e3, nil
	}
	if c.div > 0 {
		return int64(c.ts[i]) / c.div, nil
	}
	return int64(c.ts[i]) * c.mul, nil
}

// Now returns t in microseconds since the epoch.
func Now(t time.Time) int64 { return t.UnixMicro() }
