package modelstore

import (
	"context"
	"fmt"
)

// Subscription reads the event log from a durable named cursor. Next
// hands out events in order; Ack records progress in the store, so a
// subscription reopened under the same name (after a restart, in another
// process) continues after the last acked event. Events handed out but
// not acked are handed out again after a restart: ack after handling to
// handle each event exactly once. A Subscription is not safe for
// concurrent use; open one per goroutine.
type Subscription struct {
	log  EventLog
	name string
	next uint64
	buf  []Event
}

// Subscribe opens the subscription name at its stored cursor.
func Subscribe(ctx context.Context, log EventLog, name string) (*Subscription, error) {
	cur, err := log.Cursor(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("subscribe: %w", err)
	}
	return &Subscription{log: log, name: name, next: cur + 1}, nil
}

// Next returns the next event, blocking until there is one or ctx ends.
func (s *Subscription) Next(ctx context.Context) (Event, error) {
	for len(s.buf) == 0 {
		evs, err := s.log.Watch(ctx, s.next)
		if err != nil {
			return Event{}, fmt.Errorf("subscription %q: %w", s.name, err)
		}
		s.buf = evs
	}
	ev := s.buf[0]
	s.buf = s.buf[1:]
	s.next = ev.Seq + 1
	return ev, nil
}

// Ack stores that every event up to and including ev was handled.
func (s *Subscription) Ack(ctx context.Context, ev Event) error {
	return s.log.Ack(ctx, s.name, ev.Seq)
}
