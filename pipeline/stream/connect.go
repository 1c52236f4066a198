package stream

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
)

// CoOperator processes two inputs: a data stream, partitioned as usual, and
// a control stream broadcast to every subtask (for instance a model stream
// next to the data it scores, or rules next to events). The engine creates
// one instance per subtask and calls it from one goroutine, so the two
// methods never run concurrently; rec is borrowed. There is no ordering
// between the two inputs beyond the order within each.
//
// Watermarks are the minimum over both inputs (a control stream that emits
// none holds event time back unless its source ends or goes idle, see
// WithSourceIdleTimeout); checkpoint barriers are aligned over both.
// Optional abilities are those of Operator: Opener, Finisher,
// WatermarkHandler, BarrierHandler, Snapshotter, Restorer, Closer. A
// subtask's control state is the same in every subtask (each saw every
// control batch); on restore at another parallelism each subtask gets the
// snapshots of old subtasks j with j mod parallelism = subtask.
type CoOperator interface {
	ProcessData(ctx context.Context, rec arrow.Record, out Collector) error
	ProcessControl(ctx context.Context, rec arrow.Record, out Collector) error
}

// ConnectedStreams is a data stream and a broadcast control stream, made
// by Connect, waiting for a CoOperator.
type ConnectedStreams struct {
	data, control *Stream
}

// Connect pairs a data stream with a control stream whose every batch
// reaches every subtask of the CoOperator added by Process.
func Connect(data, control *Stream) *ConnectedStreams {
	return &ConnectedStreams{data: data, control: control}
}

// Process adds the co-operator with parallelism subtasks (0 inherits the
// data stream's). The data stream keeps its partitioning (forward when the
// parallelism matches, else rebalance, or what Rebalance/Broadcast set);
// the control stream is broadcast.
func (c *ConnectedStreams) Process(name string, newOp func() CoOperator, parallelism int) *Stream {
	j := c.data.job
	if parallelism == 0 {
		parallelism = c.data.Parallelism()
	}
	n := j.add(&node{name: name, label: "co-process", kind: kindOperator, par: parallelism, newCo: newOp}, c.data, partDefault, nil)
	if c.control.job != j {
		j.buildEr = append(j.buildEr, fmt.Errorf("operator %q: control stream belongs to another job", name))
	}
	for _, in := range c.control.ins {
		n.ins = append(n.ins, edge{from: in.n, part: partBroadcast, tag: in.tag, input: 1})
	}
	return &Stream{job: j, ins: []inlet{{n: n}}}
}

// coAdapter runs a CoOperator as an Operator whose records carry their
// input channel; inputs maps a channel to 0 (data) or 1 (control).
type coAdapter struct {
	op     CoOperator
	inputs []int
}

func (a *coAdapter) process(ctx context.Context, rec arrow.Record, ch int, out Collector) error {
	if a.inputs[ch] == 1 {
		return a.op.ProcessControl(ctx, rec, out)
	}
	return a.op.ProcessData(ctx, rec, out)
}

// channelInputs lists, for each input channel of a subtask of n in plan
// order (edge by edge, upstream subtask by subtask), its logical input.
func channelInputs(n *node) []int {
	var out []int
	for _, e := range n.ins {
		for range e.from.par {
			out = append(out, e.input)
		}
	}
	return out
}
