package stream

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/checkpoint"
)

// DefaultChannelCapacity is the number of elements buffered on each edge
// between two subtasks.
const DefaultChannelCapacity = 2

// DefaultMaxKeyGroups is the number of key groups hash partitioning maps
// keys into; a key group is the unit keyed state will be redistributed in
// when a job is restored with another parallelism (as in Flink).
const DefaultMaxKeyGroups = 128

type config struct {
	capacity   int
	interval   time.Duration
	onCkpt     func(Checkpoint)
	mem        memory.Allocator
	logger     *slog.Logger
	maxKeyGrps int
	storage    checkpoint.Storage
	restore    checkpoint.Storage
	restart    RestartStrategy
	now        func() time.Time
	clockSet   bool
	idle       time.Duration
}

// Option configures a Job.
type Option func(*config)

// WithChannelCapacity sets how many elements each edge buffers (default
// DefaultChannelCapacity). Smaller means less memory in flight.
func WithChannelCapacity(n int) Option { return func(c *config) { c.capacity = n } }

// WithCheckpointInterval makes a coordinator inject checkpoint barriers at
// the sources every d (0, the default, disables checkpoints). At most one
// checkpoint is in flight; the next starts after the previous completed.
func WithCheckpointInterval(d time.Duration) Option { return func(c *config) { c.interval = d } }

// WithCheckpointListener sets a function called, from the coordinator
// goroutine, after each completed checkpoint.
func WithCheckpointListener(f func(Checkpoint)) Option { return func(c *config) { c.onCkpt = f } }

// WithAllocator sets the allocator operators build batches with (default
// memory.DefaultAllocator).
func WithAllocator(mem memory.Allocator) Option { return func(c *config) { c.mem = mem } }

// WithLogger sets the job's logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithMaxKeyGroups sets the number of key groups of hash partitioning
// (default DefaultMaxKeyGroups); it bounds the largest useful parallelism of
// keyed operators.
func WithMaxKeyGroups(n int) Option { return func(c *config) { c.maxKeyGrps = n } }

// WithSourceIdleTimeout marks a source subtask idle when it produced no
// batch for d on the job's clock (WithClock): downstream operators then
// leave its channels out of their min-of-inputs watermark until it
// produces again, so one quiet partition does not hold back event time
// (Flink's withIdleness). When every input of a subtask is idle, the
// subtask's watermark is the largest of its inputs' and the subtask is
// idle in turn. 0 (the default) never marks sources idle.
func WithSourceIdleTimeout(d time.Duration) Option { return func(c *config) { c.idle = d } }

func (c *config) validate() error {
	if c.idle < 0 {
		return fmt.Errorf("source idle timeout %v: want 0 (off) or positive", c.idle)
	}
	if c.capacity < 1 {
		return fmt.Errorf("channel capacity %d: want at least 1", c.capacity)
	}
	if c.interval < 0 {
		return fmt.Errorf("checkpoint interval %v: want 0 (off) or positive", c.interval)
	}
	if c.restart.MaxAttempts < 0 || c.restart.Delay < 0 {
		return fmt.Errorf("restart strategy %+v: want non-negative attempts and delay", c.restart)
	}
	if c.now == nil {
		return errors.New("clock: nil now function")
	}
	if c.maxKeyGrps < 1 {
		return fmt.Errorf("max key groups %d: want at least 1", c.maxKeyGrps)
	}
	return nil
}

// Job is a dataflow graph of sources, operators and sinks. Build it with
// FromSource and the methods of Stream, then call Run once.
type Job struct {
	name    string
	cfg     config
	cfgErr  error
	nodes   []*node
	buildEr []error
	ran     atomic.Bool
	ck      ckptCounters
}

// NewJob returns an empty job.
func NewJob(name string, opts ...Option) *Job {
	j := &Job{name: name, cfg: config{
		capacity:   DefaultChannelCapacity,
		mem:        memory.DefaultAllocator,
		logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		maxKeyGrps: DefaultMaxKeyGroups,
		now:        time.Now,
	}}
	for _, o := range opts {
		o(&j.cfg)
	}
	if j.cfg.storage == nil {
		j.cfg.storage = checkpoint.NewMemory(checkpoint.DefaultRetained)
	}
	j.cfgErr = j.cfg.validate()
	return j
}

type nodeKind int

const (
	kindSource nodeKind = iota
	kindOperator
	kindSink
)

func (k nodeKind) String() string {
	return [...]string{"source", "operator", "sink"}[k]
}

// partitioning says how an edge spreads an upstream subtask's batches over
// the downstream subtasks.
type partitioning int

const (
	partDefault   partitioning = iota // forward when parallelism matches, else rebalance
	partForward                       // upstream subtask i -> downstream subtask i
	partRebalance                     // round robin of whole batches
	partBroadcast                     // every batch to every subtask
	partHash                          // rows split by hash of key columns
)

func (p partitioning) String() string {
	return [...]string{"default", "forward", "rebalance", "broadcast", "hash"}[p]
}

type edge struct {
	from  *node
	part  partitioning
	keys  []string
	tag   string // side output of from ("" for its main output)
	input int    // logical input of a co-operator: 0 data, 1 control
}

func (e edge) String() string {
	s := e.part.String()
	if e.part == partHash {
		s = fmt.Sprintf("hash(%s)", strings.Join(e.keys, ","))
	}
	if e.tag != "" {
		s = fmt.Sprintf("side(%s) %s", e.tag, s)
	}
	if e.input == 1 {
		s = "control " + s
	}
	return s
}

type node struct {
	id    int
	name  string
	label string // "map", "filter", ... for String
	kind  nodeKind
	par   int
	src   Source
	newOp func() Operator
	// newKeyed and keys are set for keyed operators (KeyedStream.Process).
	newKeyed func() KeyedOperator
	keys     []string
	// newCo is set for co-operators (ConnectedStreams.Process).
	newCo func() CoOperator
	sink  Sink
	ins   []edge
	m     counters
}

// inlet is one producer of a Stream with the partitioning its next edge uses.
type inlet struct {
	n    *node
	part partitioning
	keys []string
	tag  string // side output tag, "" for the main output
}

// Stream is the output of one or more nodes (several after Union). Methods
// that add an operator return a new Stream; a Stream can feed several
// consumers, each receiving every batch.
type Stream struct {
	job *Job
	ins []inlet
}

// KeyedStream is a stream partitioned by key columns: rows with equal keys
// always reach the same subtask of the next operator.
type KeyedStream struct {
	s    *Stream
	keys []string
}

func (j *Job) add(n *node, from *Stream, part partitioning, keys []string) *node {
	n.id = len(j.nodes)
	if n.par < 1 {
		j.buildEr = append(j.buildEr, fmt.Errorf("%s %q: parallelism %d: want at least 1", n.kind, n.name, n.par))
	}
	if from != nil {
		if from.job != j {
			j.buildEr = append(j.buildEr, fmt.Errorf("%s %q: input stream belongs to another job", n.kind, n.name))
		}
		for _, in := range from.ins {
			p, k := in.part, in.keys
			if part != partDefault {
				p, k = part, keys
			}
			if p == partDefault {
				p = partRebalance
				if in.n.par == n.par {
					p = partForward
				}
			}
			n.ins = append(n.ins, edge{from: in.n, part: p, keys: k, tag: in.tag})
		}
	}
	j.nodes = append(j.nodes, n)
	return n
}

// FromSource adds a source read by parallelism subtasks.
func FromSource(j *Job, name string, src Source, parallelism int) *Stream {
	n := j.add(&node{name: name, label: "source", kind: kindSource, par: parallelism, src: src}, nil, partDefault, nil)
	return &Stream{job: j, ins: []inlet{{n: n}}}
}

// Parallelism is the largest parallelism of the stream's producers; operators
// added with parallelism 0 inherit it.
func (s *Stream) Parallelism() int {
	p := 0
	for _, in := range s.ins {
		p = max(p, in.n.par)
	}
	return p
}

func (s *Stream) with(part partitioning, keys []string) *Stream {
	out := &Stream{job: s.job, ins: make([]inlet, len(s.ins))}
	for i, in := range s.ins {
		out.ins[i] = inlet{n: in.n, part: part, keys: keys, tag: in.tag}
	}
	return out
}

// SideOutput returns the stream of batches the stream's operators emit to
// the side output tag (Collector.EmitTo), for instance the late rows of a
// window (pipeline/window's LateTag). Batches emitted to a tag nobody
// consumes are released, and counted in OperatorMetrics.SideRecordsOut.
func (s *Stream) SideOutput(tag string) *Stream {
	if tag == "" {
		s.job.buildEr = append(s.job.buildEr, errors.New("side output: empty tag"))
	}
	out := &Stream{job: s.job, ins: make([]inlet, len(s.ins))}
	for i, in := range s.ins {
		out.ins[i] = inlet{n: in.n, tag: tag}
	}
	return out
}

// Rebalance spreads the next operator's input round robin, batch by batch.
func (s *Stream) Rebalance() *Stream { return s.with(partRebalance, nil) }

// Broadcast sends every batch to every subtask of the next operator.
func (s *Stream) Broadcast() *Stream { return s.with(partBroadcast, nil) }

// KeyBy partitions the stream by the named columns: the rows of each batch
// are split by a hash of their key so equal keys reach the same subtask.
func (s *Stream) KeyBy(cols ...string) *KeyedStream {
	if len(cols) == 0 {
		s.job.buildEr = append(s.job.buildEr, fmt.Errorf("key by: no key columns"))
	}
	keys := append([]string(nil), cols...)
	return &KeyedStream{s: s.with(partHash, keys), keys: keys}
}

// Keys returns the key column names.
func (k *KeyedStream) Keys() []string { return append([]string(nil), k.keys...) }

// Union merges streams of the same schema into one; the next operator reads
// all of them.
func Union(streams ...*Stream) *Stream {
	if len(streams) == 0 {
		return nil
	}
	out := &Stream{job: streams[0].job}
	for _, s := range streams {
		if s.job != out.job {
			out.job.buildEr = append(out.job.buildEr, fmt.Errorf("union: streams belong to different jobs"))
		}
		out.ins = append(out.ins, s.ins...)
	}
	return out
}

// Process adds an operator with parallelism subtasks (0 inherits the
// stream's parallelism). newOp is called once per subtask, so each instance
// owns its state.
func (s *Stream) Process(name string, newOp func() Operator, parallelism int) *Stream {
	return s.process("process", name, newOp, parallelism, partDefault, nil)
}

func (s *Stream) process(label, name string, newOp func() Operator, par int, part partitioning, keys []string) *Stream {
	if par == 0 {
		par = s.Parallelism()
	}
	n := s.job.add(&node{name: name, label: label, kind: kindOperator, par: par, newOp: newOp}, s, part, keys)
	return &Stream{job: s.job, ins: []inlet{{n: n}}}
}

// To adds a sink with the stream's parallelism.
func (s *Stream) To(name string, sink Sink) {
	s.ToParallel(name, sink, 0)
}

// ToParallel adds a sink with parallelism subtasks (0 inherits).
func (s *Stream) ToParallel(name string, sink Sink, parallelism int) {
	if parallelism == 0 {
		parallelism = s.Parallelism()
	}
	s.job.add(&node{name: name, label: "sink", kind: kindSink, par: parallelism, sink: sink}, s, partDefault, nil)
}

// String prints the graph, one node a line with its inputs.
func (j *Job) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "job %q\n", j.name)
	for _, n := range j.nodes {
		fmt.Fprintf(&b, "  %d %s %q parallelism %d", n.id, n.label, n.name, n.par)
		for i, e := range n.ins {
			if i == 0 {
				b.WriteString(" <-")
			} else {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, " %d %s", e.from.id, e)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// OperatorMetrics is a snapshot of one node's counters, summed over its
// subtasks. Records count rows.
type OperatorMetrics struct {
	Name        string
	Kind        string
	Parallelism int
	RecordsIn   int64
	RecordsOut  int64 // rows emitted on the main output
	BatchesIn   int64
	BatchesOut  int64
	// SideRecordsOut counts rows emitted to side outputs (Collector.EmitTo),
	// for instance late rows of a window, consumed or not.
	SideRecordsOut int64
	// BusyTime is the time the subtasks spent handling input (operator and
	// sink calls, a source's reads), not counting BackpressureTime; summed
	// over subtasks.
	BusyTime time.Duration
	// BackpressureTime is the time the subtasks were blocked sending
	// downstream because a channel was full; summed over subtasks.
	BackpressureTime time.Duration
}

type counters struct {
	recIn, recOut, batIn, batOut, sideOut atomic.Int64
	busy, bp                              atomic.Int64 // nanoseconds
}

// Metrics returns a snapshot of every node's counters, in graph order. It is
// safe to call while the job runs.
func (j *Job) Metrics() []OperatorMetrics {
	out := make([]OperatorMetrics, len(j.nodes))
	for i, n := range j.nodes {
		out[i] = OperatorMetrics{
			Name: n.name, Kind: n.label, Parallelism: n.par,
			RecordsIn: n.m.recIn.Load(), RecordsOut: n.m.recOut.Load(),
			BatchesIn: n.m.batIn.Load(), BatchesOut: n.m.batOut.Load(),
			SideRecordsOut: n.m.sideOut.Load(),
			BusyTime:       time.Duration(n.m.busy.Load()), BackpressureTime: time.Duration(n.m.bp.Load()),
		}
	}
	return out
}
