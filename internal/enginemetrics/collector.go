package enginemetrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/eddyml/eddy/pipeline/stream"
)

// Source is what the collector reads; *stream.Job implements it.
type Source interface {
	Name() string
	Metrics() []stream.OperatorMetrics
	CheckpointStats() stream.CheckpointStats
}

// Collector is a prometheus.Collector over one job's counters, read at
// each scrape (safe while the job runs).
type Collector struct {
	src Source

	recIn, recOut, sideOut, batIn, batOut, busy, bp, par *prometheus.Desc
	ckpts, ckDur, ckSize, ckDurTotal, ckSizeTotal        *prometheus.Desc
	restarts, restored                                   *prometheus.Desc
}

// New returns a collector for src (a *stream.Job).
func New(src Source) *Collector {
	op := []string{"operator", "kind"}
	job := prometheus.Labels{"job": src.Name()}
	d := func(name, help string, labels []string) *prometheus.Desc {
		return prometheus.NewDesc("eddy_stream_"+name, help, labels, job)
	}
	return &Collector{src: src,
		recIn:       d("records_in_total", "Rows received by the operator, over its subtasks.", op),
		recOut:      d("records_out_total", "Rows emitted on the operator's main output.", op),
		sideOut:     d("side_records_out_total", "Rows emitted to side outputs (late rows of windows).", op),
		batIn:       d("batches_in_total", "Batches received by the operator.", op),
		batOut:      d("batches_out_total", "Batches emitted on the operator's main output.", op),
		busy:        d("busy_seconds_total", "Time the operator's subtasks spent handling input, less backpressure.", op),
		bp:          d("backpressure_seconds_total", "Time the operator's subtasks were blocked sending to a full channel.", op),
		par:         d("parallelism", "Number of subtasks of the operator.", op),
		ckpts:       d("checkpoints_total", "Completed checkpoints.", nil),
		ckDur:       d("checkpoint_duration_seconds", "Duration of the last completed checkpoint, barrier injection to manifest.", nil),
		ckSize:      d("checkpoint_size_bytes", "State bytes written by the last completed checkpoint.", nil),
		ckDurTotal:  d("checkpoint_duration_seconds_total", "Total duration of completed checkpoints.", nil),
		ckSizeTotal: d("checkpoint_size_bytes_total", "Total state bytes written by completed checkpoints.", nil),
		restarts:    d("restarts_total", "Restarts of the job after a failure.", nil),
		restored:    d("restored_checkpoint", "Id of the checkpoint the job last restored, 0 for none.", nil),
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.recIn, c.recOut, c.sideOut, c.batIn, c.batOut, c.busy, c.bp, c.par,
		c.ckpts, c.ckDur, c.ckSize, c.ckDurTotal, c.ckSizeTotal, c.restarts, c.restored} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	counter, gauge := prometheus.CounterValue, prometheus.GaugeValue
	for _, m := range c.src.Metrics() {
		l := []string{m.Name, m.Kind}
		ch <- prometheus.MustNewConstMetric(c.recIn, counter, float64(m.RecordsIn), l...)
		ch <- prometheus.MustNewConstMetric(c.recOut, counter, float64(m.RecordsOut), l...)
		ch <- prometheus.MustNewConstMetric(c.sideOut, counter, float64(m.SideRecordsOut), l...)
		ch <- prometheus.MustNewConstMetric(c.batIn, counter, float64(m.BatchesIn), l...)
		ch <- prometheus.MustNewConstMetric(c.batOut, counter, float64(m.BatchesOut), l...)
		ch <- prometheus.MustNewConstMetric(c.busy, counter, m.BusyTime.Seconds(), l...)
		ch <- prometheus.MustNewConstMetric(c.bp, counter, m.BackpressureTime.Seconds(), l...)
		ch <- prometheus.MustNewConstMetric(c.par, gauge, float64(m.Parallelism), l...)
	}
	s := c.src.CheckpointStats()
	ch <- prometheus.MustNewConstMetric(c.ckpts, counter, float64(s.Completed))
	ch <- prometheus.MustNewConstMetric(c.ckDur, gauge, s.LastDuration.Seconds())
	ch <- prometheus.MustNewConstMetric(c.ckSize, gauge, float64(s.LastSize))
	ch <- prometheus.MustNewConstMetric(c.ckDurTotal, counter, s.TotalDuration.Seconds())
	ch <- prometheus.MustNewConstMetric(c.ckSizeTotal, counter, float64(s.TotalSize))
	ch <- prometheus.MustNewConstMetric(c.restarts, counter, float64(s.Restarts))
	ch <- prometheus.MustNewConstMetric(c.restored, gauge, float64(s.LastRestore))
}
