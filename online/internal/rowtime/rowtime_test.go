package rowtime

import (
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/table"
)

func TestMicros(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	at := time.Date(2026, 11, 26, 8, 0, 1, 234567891, time.UTC)
	for _, tc := range []struct {
		name string
		col  table.Column
		want int64
	}{
		{"seconds", table.TimestampCol("t", arrow.Second, "UTC", []time.Time{at}, nil), at.Truncate(time.Second).UnixMicro()},
		{"milliseconds", table.TimestampCol("t", arrow.Millisecond, "UTC", []time.Time{at}, nil), at.Truncate(time.Millisecond).UnixMicro()},
		{"microseconds", table.TimestampCol("t", arrow.Microsecond, "", []time.Time{at}, nil), at.UnixMicro()},
		{"nanoseconds", table.TimestampCol("t", arrow.Nanosecond, "UTC", []time.Time{at}, nil), at.UnixMicro()},
		{"int64 ms", table.Col("t", []int64{at.UnixMilli()}), at.Truncate(time.Millisecond).UnixMicro()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := table.Build(mem, tc.col)
			if err != nil {
				t.Fatal(err)
			}
			defer rec.Release()
			c, err := Bind(rec, "t")
			if err != nil {
				t.Fatal(err)
			}
			if got, err := c.Micros(0, 0); err != nil || got != tc.want {
				t.Errorf("got %d (%v), want %d", got, err, tc.want)
			}
		})
	}
	rec, _ := table.Build(mem, table.NullableCol("t", []int64{1, 2}, []bool{true, false}), table.Col("f", []float64{1, 2}))
	defer rec.Release()
	c, err := Bind(rec, "t")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Micros(1, 10); err == nil {
		t.Error("null time: no error")
	}
	if _, err := Bind(rec, "f"); err == nil {
		t.Error("float time column: no error")
	}
	if _, err := Bind(rec, "none"); err == nil {
		t.Error("missing column: no error")
	}
}
