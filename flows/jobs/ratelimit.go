package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/eddyml/eddy/pipeline/table"
)

// seekReader is what the online job reads: a reader whose position the
// engine records at checkpoints and seeks to on restore.
type seekReader interface {
	table.Reader
	table.Seeker
}

// rateReader delivers the batches of its reader no faster than rate rows
// per second on average, so that a generated stream looks like live
// traffic. Waiting ends early when ctx is done (Next then returns false
// and Err reports ctx's error), as the engine requires of a source.
type rateReader struct {
	seekReader
	ctx   context.Context
	rate  float64
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
	start time.Time
	rows  int64 // delivered since start
	err   error
}

func newRateReader(ctx context.Context, r seekReader, rate float64) *rateReader {
	return &rateReader{seekReader: r, ctx: ctx, rate: rate, now: time.Now, sleep: sleepCtx}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Next reads a batch, then holds it back until the rows delivered before
// it are due.
func (r *rateReader) Next() bool {
	if r.err != nil || !r.seekReader.Next() {
		return false
	}
	if r.start.IsZero() {
		r.start = r.now()
	}
	due := r.start.Add(time.Duration(float64(r.rows) / r.rate * float64(time.Second)))
	if wait := due.Sub(r.now()); wait > 0 {
		if err := r.sleep(r.ctx, wait); err != nil {
			r.err = err
			return false
		}
	}
	r.rows += r.Record().NumRows()
	return true
}

// Err reports the reader's error or the cancellation that ended a wait.
func (r *rateReader) Err() error {
	return errors.Join(r.err, r.seekReader.Err())
}

// SeekRow seeks the reader and restarts the pacing from there.
func (r *rateReader) SeekRow(offset int64) error {
	r.start, r.rows = time.Time{}, 0
	return r.seekReader.SeekRow(offset)
}
