package runstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/eddyml/eddy/flows/jobs"
)

// RecordType names a record.
type RecordType string

// The record types.
const (
	RunStarted       RecordType = "run.started"
	RunResumed       RecordType = "run.resumed"
	RunFinished      RecordType = "run.finished"
	InstanceCreated  RecordType = "instance.created"
	AttemptStarted   RecordType = "attempt.started"
	AttemptFinished  RecordType = "attempt.finished"
	InstanceFinished RecordType = "instance.finished"
	EventHandled     RecordType = "event.handled"
	ScheduleTick     RecordType = "schedule.tick"
	// EventEmitted records an event a running job emitted (Event, with
	// Instance and Attempt); EventDispatched (Instance, EventID) records,
	// in the same append as the instances it triggered, that the
	// scheduler handled it.
	EventEmitted    RecordType = "event.emitted"
	EventDispatched RecordType = "event.dispatched"
)

// Statuses of runs, instances and attempts.
const (
	StatusPending     = "pending"
	StatusRunning     = "running"
	StatusSucceeded   = "succeeded"
	StatusFailed      = "failed"
	StatusTimeout     = "timeout"
	StatusInterrupted = "interrupted"
	StatusStopped     = "stopped"
)

// Record is one change of a run. Which fields are set depends on Type.
type Record struct {
	Type RecordType `json:"type"`
	Time time.Time  `json:"time"`
	// run.started, run.resumed
	Flow string `json:"flow,omitempty"`
	PID  int    `json:"pid,omitempty"`
	// Seq is the registry event cursor: run.started (the head when the run
	// started), event.handled (the last event handled).
	Seq uint64 `json:"seq,omitempty"`
	// instance.*, attempt.*
	Instance string      `json:"instance,omitempty"`
	Job      string      `json:"job,omitempty"`
	Cause    string      `json:"cause,omitempty"`
	Trigger  *jobs.Event `json:"trigger,omitempty"`
	Attempt  int         `json:"attempt,omitempty"`
	Status   string      `json:"status,omitempty"`
	Error    string      `json:"error,omitempty"`
	// RetryAt is when a failed attempt is retried (attempt.finished).
	RetryAt time.Time         `json:"retry_at,omitzero"`
	Outputs map[string]string `json:"outputs,omitempty"`
	// Tick is the schedule time of schedule.tick.
	Tick time.Time `json:"tick,omitzero"`
	// Event is the event of event.emitted; EventID the Event.ID of
	// event.dispatched.
	Event   *jobs.Event `json:"event,omitempty"`
	EventID string      `json:"event_id,omitempty"`
}

// Store persists the records of flow runs. Append is atomic: after a
// crash, either every record of a call is there or none is. Safe for
// concurrent use; one process at a time appends to a run, which Lock
// ensures.
type Store interface {
	// Lock takes the flow's run lock, held until Release: a second Lock
	// of the same flow, from this process or another, fails with an error
	// wrapping ErrLocked that names the holder.
	Lock(ctx context.Context, flow string) (Lock, error)
	// Create starts run id of flow with its first records.
	Create(ctx context.Context, flow, id string, recs []Record) error
	// Append adds records to a run, atomically.
	Append(ctx context.Context, id string, recs ...Record) error
	// Records returns a run's records in order, or ErrNotFound.
	Records(ctx context.Context, id string) ([]Record, error)
	// Runs returns the ids of flow's runs (every flow's for ""), oldest
	// first.
	Runs(ctx context.Context, flow string) ([]string, error)
	Close() error
}

// ErrNotFound is returned for an unknown run.
var ErrNotFound = errors.New("run not found")

// ErrLocked is wrapped by Lock's error when another process (or another
// Lock in this one) holds the flow's lock.
var ErrLocked = errors.New("flow is already running")

// Lock is a held flow lock.
type Lock interface {
	// Lost is closed when the lock is lost while held: a Redis lease that
	// could not be renewed before it expired. The holder must stop
	// writing to the flow's runs then.
	Lost() <-chan struct{}
	// Release gives the lock up; it is safe to call more than once.
	Release() error
}

// NewID returns a run id: the UTC start time, sortable, and a random
// suffix.
func NewID(now time.Time) string {
	var b [3]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405.000Z") + "-" + hex.EncodeToString(b[:])
}

// Attempt is one try of an instance.
type Attempt struct {
	N                 int
	Started, Finished time.Time
	Status, Error     string
}

// Instance is one run of a job in a flow run: the job run once in the
// DAG, or once per triggering event or schedule tick.
type Instance struct {
	ID, Job, Cause    string
	Trigger           *jobs.Event
	Status            string
	Created, Finished time.Time
	Error             string
	Attempts          []Attempt
	RetryAt           time.Time
	Outputs           map[string]string
}

// Emitted is an event a job emitted while running.
type Emitted struct {
	// Key identifies the event in the run: INSTANCE/ID.
	Key   string
	Event jobs.Event
	// Dispatched is when the scheduler handled it (zero: not yet);
	// Triggered lists the instances it created.
	Dispatched time.Time
	Triggered  []string
}

// EmittedKey is the key of event ID emitted by instance.
func EmittedKey(instance, id string) string { return instance + "/" + id }

// Run is the state of a run, folded from its records.
type Run struct {
	ID, Flow                   string
	Status                     string
	Started, Updated, Finished time.Time
	Error                      string
	// Cursor is the last registry event handled.
	Cursor  uint64
	Resumes int
	// Instances by id; Order lists ids in creation order.
	Instances map[string]*Instance
	Order     []string
	// Ticks is the last schedule tick per job.
	Ticks map[string]time.Time
	// Emitted lists the events jobs emitted while running, in order;
	// EmittedByKey indexes them.
	Emitted      []*Emitted
	EmittedByKey map[string]*Emitted
	// Records counts the records folded.
	Records int
}

// Fold builds a run's state from its records.
func Fold(id string, recs []Record) *Run {
	r := &Run{ID: id, Status: StatusRunning, Instances: map[string]*Instance{}, Ticks: map[string]time.Time{},
		EmittedByKey: map[string]*Emitted{}, Records: len(recs)}
	for _, rec := range recs {
		r.Apply(rec)
	}
	return r
}

// Apply folds one record into the state.
func (r *Run) Apply(rec Record) {
	if rec.Time.After(r.Updated) {
		r.Updated = rec.Time
	}
	in := r.Instances[rec.Instance]
	switch rec.Type {
	case RunStarted:
		r.Flow, r.Started, r.Cursor = rec.Flow, rec.Time, rec.Seq
	case RunResumed:
		r.Resumes++
		r.Status = StatusRunning
	case RunFinished:
		r.Status, r.Finished, r.Error = rec.Status, rec.Time, rec.Error
	case EventHandled:
		if rec.Seq > r.Cursor {
			r.Cursor = rec.Seq
		}
	case ScheduleTick:
		r.Ticks[rec.Job] = rec.Tick
	case EventEmitted:
		if rec.Event == nil {
			return
		}
		key := EmittedKey(rec.Instance, rec.Event.ID)
		if r.EmittedByKey[key] != nil {
			return
		}
		e := &Emitted{Key: key, Event: *rec.Event}
		r.Emitted = append(r.Emitted, e)
		r.EmittedByKey[key] = e
	case EventDispatched:
		if e := r.EmittedByKey[EmittedKey(rec.Instance, rec.EventID)]; e != nil && e.Dispatched.IsZero() {
			e.Dispatched = rec.Time
		}
	case InstanceCreated:
		if in != nil {
			return
		}
		if t := rec.Trigger; t != nil && t.ID != "" && t.Instance != "" {
			if e := r.EmittedByKey[EmittedKey(t.Instance, t.ID)]; e != nil {
				e.Triggered = append(e.Triggered, rec.Instance)
			}
		}
		r.Instances[rec.Instance] = &Instance{ID: rec.Instance, Job: rec.Job, Cause: rec.Cause, Trigger: rec.Trigger,
			Status: StatusPending, Created: rec.Time}
		r.Order = append(r.Order, rec.Instance)
	case AttemptStarted:
		if in == nil {
			return
		}
		in.Status = StatusRunning
		in.RetryAt = time.Time{}
		in.Attempts = append(in.Attempts, Attempt{N: rec.Attempt, Started: rec.Time, Status: StatusRunning})
	case AttemptFinished:
		if in == nil {
			return
		}
		for i := range in.Attempts {
			if a := &in.Attempts[i]; a.N == rec.Attempt {
				a.Finished, a.Status, a.Error = rec.Time, rec.Status, rec.Error
			}
		}
		in.Status, in.RetryAt, in.Error = StatusPending, rec.RetryAt, rec.Error
		if rec.Outputs != nil {
			in.Outputs = rec.Outputs
		}
	case InstanceFinished:
		if in == nil {
			return
		}
		in.Status, in.Finished, in.Error = rec.Status, rec.Time, rec.Error
	}
}

// Undispatched returns the emitted events the scheduler has not handled
// yet, in order.
func (r *Run) Undispatched() []*Emitted {
	var out []*Emitted
	for _, e := range r.Emitted {
		if e.Dispatched.IsZero() {
			out = append(out, e)
		}
	}
	return out
}

// Tries returns the number of attempts that count against the retry
// limit (interrupted ones, cut short by a stop or a crash, do not).
func (in *Instance) Tries() int {
	n := 0
	for _, a := range in.Attempts {
		if a.Status != StatusInterrupted {
			n++
		}
	}
	return n
}

// Done reports whether the instance is finished.
func (in *Instance) Done() bool {
	return in.Status == StatusSucceeded || in.Status == StatusFailed || in.Status == StatusStopped
}

// Open opens the run store that goes with a registry: the Redis server
// of a redis:// registry (keys under "eddy:flows:"), else an embedded
// store in stateDir.
func Open(ctx context.Context, registryURL, stateDir string) (Store, error) {
	if strings.HasPrefix(registryURL, "redis://") || strings.HasPrefix(registryURL, "rediss://") {
		return OpenRedis(ctx, registryURL)
	}
	return OpenDir(stateDir)
}

// Latest returns the newest run of flow, or nil.
func Latest(ctx context.Context, s Store, flow string) (*Run, error) {
	ids, err := s.Runs(ctx, flow)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	id := ids[len(ids)-1]
	recs, err := s.Records(ctx, id)
	if err != nil {
		return nil, err
	}
	return Fold(id, recs), nil
}

// Load folds run id.
func Load(ctx context.Context, s Store, id string) (*Run, error) {
	recs, err := s.Records(ctx, id)
	if err != nil {
		return nil, err
	}
	return Fold(id, recs), nil
}

func sortIDs(ids []string) []string {
	sort.Strings(ids)
	return ids
}

func checkID(id string) error {
	if id == "" || strings.ContainsAny(id, "/\\:\x00") || id == "." || id == ".." {
		return fmt.Errorf("run id %q: invalid", id)
	}
	return nil
}
