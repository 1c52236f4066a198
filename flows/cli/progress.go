package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/eddyml/eddy/connectors"
)

// progress draws a one-line progress bar on a terminal while a long
// command runs: rows, rows/s and, when the source can tell how far it has
// read, a bar with percent and ETA. It draws nothing when w is not a
// terminal, so logs and tests stay clean.
type progress struct {
	w     io.Writer
	src   any
	start time.Time
	now   func() time.Time

	mu   sync.Mutex
	rows int64

	stop chan struct{}
	done chan struct{}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// startProgress starts drawing to w every interval when w is a terminal;
// otherwise the returned progress only counts. Call finish to stop it.
func startProgress(w io.Writer, src any, interval time.Duration) *progress {
	p := &progress{w: w, src: src, now: time.Now, stop: make(chan struct{}), done: make(chan struct{})}
	p.start = p.now()
	if !isTerminal(w) {
		close(p.done)
		return p
	}
	go func() {
		defer close(p.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				fmt.Fprint(p.w, "\r"+p.line()+"\x1b[K")
			}
		}
	}()
	return p
}

func (p *progress) add(rows int64) {
	p.mu.Lock()
	p.rows += rows
	p.mu.Unlock()
}

// line renders the current state, e.g.
// "[#########.........]  47%  1.20M rows  812k rows/s  ETA 2s".
func (p *progress) line() string {
	p.mu.Lock()
	rows := p.rows
	p.mu.Unlock()
	elapsed := p.now().Sub(p.start).Seconds()
	rate := 0.0
	if elapsed > 0 {
		rate = float64(rows) / elapsed
	}
	var (
		b   strings.Builder
		eta time.Duration
	)
	if pr, ok := p.src.(connectors.Progresser); ok {
		read, total := pr.Progress()
		if total > 0 {
			frac := min(float64(read)/float64(total), 1)
			const width = 24
			filled := int(frac * width)
			b.WriteString("[" + strings.Repeat("#", filled) + strings.Repeat(".", width-filled) + "]")
			fmt.Fprintf(&b, " %3.0f%%", frac*100)
			if frac > 0 && frac < 1 {
				eta = time.Duration(elapsed * (1 - frac) / frac * float64(time.Second)).Round(time.Second)
			}
		}
	}
	fmt.Fprintf(&b, "  %s rows  %s rows/s", human(float64(rows)), human(rate))
	if eta > 0 {
		fmt.Fprintf(&b, "  ETA %s", eta)
	}
	return b.String()
}

// finish stops drawing and clears the line.
func (p *progress) finish() {
	select {
	case <-p.done:
		return
	default:
	}
	close(p.stop)
	<-p.done
	fmt.Fprint(p.w, "\r\x1b[K")
}

// human formats a count compactly: 950, 12.3k, 1.20M.
func human(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.2fG", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.2fM", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}
