package cli

import (
	"testing"
	"time"
)

func TestProgressLine(t *testing.T) {
	p := &progress{src: fakeProgress{50, 200}}
	start := p.start
	p.now = func() time.Time { return start.Add(2 * time.Second) }
	p.add(1_500_000)
	got := p.line()
	want := "[######..................]  25%  1.50M rows  750.0k rows/s  ETA 6s"
	if got != want {
		t.Errorf("line = %q\nwant   %q", got, want)
	}
}

type fakeProgress struct{ read, total int64 }

func (f fakeProgress) Progress() (int64, int64) { return f.read, f.total }
