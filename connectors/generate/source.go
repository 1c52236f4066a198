package generate

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/eddyml/eddy/connectors"
	"github.com/eddyml/eddy/pipeline/table"
)

// Column names of the generated schema.
const (
	LabelColumn     = "label"   // classification, regression
	ClusterColumn   = "cluster" // blobs
	TimestampColumn = "ts"      // every kind
)

// Column roles, the same strings as table.RoleMetadataKey and the
// table.Role values (this package uses only table's Reader and Seeker).
const (
	roleKey       = "eddy.role"
	roleFeature   = "feature"
	roleLabel     = "label"
	roleTimestamp = "timestamp"
)

func roleMeta(role string) arrow.Metadata {
	return arrow.NewMetadata([]string{roleKey}, []string{role})
}

// blobSpread is the half-width of the box the blob centers are drawn in.
const blobSpread = 5.0

// Source generates the rows of a Config as a stream of record batches. It
// is a connectors.Source and a table.Seeker. A Source is not safe for
// concurrent use.
type Source struct {
	cfg    Config
	schema *arrow.Schema

	bld    *array.RecordBuilder
	numB   []*array.Float64Builder
	catB   []*array.StringBuilder
	labelI *array.Int64Builder
	labelF *array.Float64Builder
	tsB    *array.TimestampBuilder

	rec    arrow.Record
	next   int64
	err    error
	closed bool

	sNum, sCat, sLabel, sNoise, sJitter, sCluster stream
	slots                                         [2]*concept
	lastSlot                                      int

	startMs    int64
	intervalNs uint64
	lateMs     int64

	cols      [][]float64
	labels    []int64
	targets   []float64
	times     []arrow.Timestamp
	catPrefix [][]byte
	buf       []byte
}

// concept is the hidden model of one concept id.
type concept struct {
	id      uint64
	bias    float64
	w       []float64 // numeric weights (classification, regression)
	centers []float64 // K*D row-major (blobs)
	catw    stream
}

var (
	_ connectors.Source = (*Source)(nil)
	_ table.Seeker      = (*Source)(nil)
)

// New validates cfg and returns a Source positioned at row 0.
func New(cfg Config) (*Source, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Source{
		cfg:      cfg,
		sNum:     newStream(cfg.Seed, streamNumeric),
		sCat:     newStream(cfg.Seed, streamCategorical),
		sLabel:   newStream(cfg.Seed, streamLabel),
		sNoise:   newStream(cfg.Seed, streamLabelNoise),
		sJitter:  newStream(cfg.Seed, streamJitter),
		sCluster: newStream(cfg.Seed, streamCluster),
		startMs:  cfg.StartTime.UnixMilli(),
		lateMs:   cfg.MaxLateness.Milliseconds(),
	}
	s.intervalNs = uint64(cfg.Interval.Nanoseconds())
	s.schema = cfg.Schema()
	s.bld = array.NewRecordBuilder(cfg.Allocator, s.schema)
	fields := s.bld.Fields()
	i := 0
	for j := 0; j < cfg.NumNumeric; j++ {
		s.numB = append(s.numB, fields[i].(*array.Float64Builder))
		i++
	}
	for f := 0; f < cfg.NumCategorical; f++ {
		s.catB = append(s.catB, fields[i].(*array.StringBuilder))
		s.catPrefix = append(s.catPrefix, []byte("c"+strconv.Itoa(f)+"_"))
		i++
	}
	if cfg.Kind == Regression {
		s.labelF = fields[i].(*array.Float64Builder)
	} else {
		s.labelI = fields[i].(*array.Int64Builder)
	}
	s.tsB = fields[i+1].(*array.TimestampBuilder)
	s.cols = make([][]float64, cfg.NumNumeric)
	return s, nil
}

// Schema returns the schema a Config generates: x0..x{D-1} float64, then
// c0..c{C-1} string (both eddy.role=feature), then the label (label int64 for classification,
// label float64 for regression, cluster int64 for blobs; metadata
// eddy.role=label), then ts timestamp[ms, UTC] (eddy.role=timestamp).
// Fields are not nullable. The Config must be valid.
func (c Config) Schema() *arrow.Schema {
	c.setDefaults()
	fields := make([]arrow.Field, 0, c.NumNumeric+c.NumCategorical+2)
	for j := 0; j < c.NumNumeric; j++ {
		fields = append(fields, arrow.Field{Name: "x" + strconv.Itoa(j), Type: arrow.PrimitiveTypes.Float64, Metadata: roleMeta(roleFeature)})
	}
	for f := 0; f < c.NumCategorical; f++ {
		fields = append(fields, arrow.Field{Name: "c" + strconv.Itoa(f), Type: arrow.BinaryTypes.String, Metadata: roleMeta(roleFeature)})
	}
	label := arrow.Field{Name: LabelColumn, Type: arrow.PrimitiveTypes.Int64, Metadata: roleMeta(roleLabel)}
	switch c.Kind {
	case Regression:
		label.Type = arrow.PrimitiveTypes.Float64
	case Blobs:
		label.Name = ClusterColumn
	}
	fields = append(fields, label, arrow.Field{
		Name:     TimestampColumn,
		Type:     &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"},
		Metadata: roleMeta(roleTimestamp),
	})
	return arrow.NewSchema(fields, nil)
}

// Config returns the configuration with defaults applied.
func (s *Source) Config() Config {
	c := s.cfg
	c.Cardinality = append([]int(nil), c.Cardinality...)
	return c
}

// Schema returns the schema of every batch.
func (s *Source) Schema() *arrow.Schema { return s.schema }

// Record returns the current batch, owned by s and valid until the next
// call to Next or Release; Retain it to keep it.
func (s *Source) Record() arrow.Record { return s.rec }

// Err returns the error that stopped the stream, if any.
func (s *Source) Err() error { return s.err }

// Skipped is always 0: generated rows are never bad.
func (s *Source) Skipped() int64 { return 0 }

// Offset is the row number the next batch starts at: the number of rows
// delivered counting from row 0.
func (s *Source) Offset() int64 { return s.next }

// SeekRow makes the next batch start at row offset, in O(1). Seeking past
// the end of a bounded stream is not an error: the stream then ends.
func (s *Source) SeekRow(offset int64) error {
	if offset < 0 {
		return fmt.Errorf("generate: seek to row %d: negative offset", offset)
	}
	if s.closed {
		return errors.New("generate: seek on a released source")
	}
	s.next = offset
	return nil
}

// Release frees the current batch and the builders. Next returns false
// afterwards. It is safe to call more than once.
func (s *Source) Release() {
	if s.rec != nil {
		s.rec.Release()
		s.rec = nil
	}
	if !s.closed {
		s.closed = true
		s.bld.Release()
	}
}

// Next generates the next batch. It returns false at the end of a bounded
// stream, after Release, or on error (see Err).
func (s *Source) Next() bool {
	if s.rec != nil {
		s.rec.Release()
		s.rec = nil
	}
	if s.closed || s.err != nil {
		return false
	}
	n := int64(s.cfg.BatchSize)
	if s.cfg.Rows > 0 {
		if s.next >= s.cfg.Rows {
			return false
		}
		n = min(n, s.cfg.Rows-s.next)
	}
	first := s.cfg.FirstRow + s.next
	if first > math.MaxInt64-n {
		s.err = fmt.Errorf("generate: row %d: row number overflows int64", first)
		return false
	}
	if err := s.fill(first, int(n)); err != nil {
		s.err = err
		return false
	}
	s.rec = s.bld.NewRecord()
	s.next += n
	return true
}

// fill appends rows [r0, r0+n) to the builders.
func (s *Source) fill(r0 int64, n int) error {
	if cap(s.times) < n {
		s.times = make([]arrow.Timestamp, n)
		s.labels = make([]int64, n)
		if s.cfg.Kind == Regression {
			s.targets = make([]float64, n)
		}
		for j := range s.cols {
			s.cols[j] = make([]float64, n)
		}
	}
	s.times = s.times[:n]
	for i := range n {
		t, err := s.eventTime(r0 + int64(i))
		if err != nil {
			return err
		}
		s.times[i] = arrow.Timestamp(t)
	}
	for _, b := range s.catB {
		b.Reserve(n)
	}
	if s.cfg.Kind == Blobs {
		s.fillBlobs(r0, n)
	} else {
		s.fillLinear(r0, n)
	}
	for j, b := range s.numB {
		b.AppendValues(s.cols[j][:n], nil)
	}
	if s.labelF != nil {
		s.labelF.AppendValues(s.targets[:n], nil)
	} else {
		s.labelI.AppendValues(s.labels[:n], nil)
	}
	s.tsB.AppendValues(s.times, nil)
	return nil
}

// eventTime is start_ms + floor(r*interval_ns / 1e6) - jitter_ms.
func (s *Source) eventTime(r int64) (int64, error) {
	hi, lo := bits.Mul64(uint64(r), s.intervalNs)
	const nsPerMs = 1_000_000
	if hi >= nsPerMs {
		return 0, fmt.Errorf("generate: row %d: event time overflows", r)
	}
	q, _ := bits.Div64(hi, lo, nsPerMs)
	if q > math.MaxInt64 || (s.startMs > 0 && int64(q) > math.MaxInt64-s.startMs) {
		return 0, fmt.Errorf("generate: row %d: event time overflows", r)
	}
	t := s.startMs + int64(q)
	if s.lateMs > 0 {
		j := int64(s.sJitter.unif(uint64(r)) * float64(s.lateMs+1))
		t -= min(j, s.lateMs)
	}
	return t, nil
}

// conceptParams returns the hidden model of concept id, from a two-slot
// cache (a gradual transition needs two concepts at once).
func (s *Source) conceptParams(id uint64) *concept {
	for _, c := range s.slots {
		if c != nil && c.id == id {
			return c
		}
	}
	s.lastSlot ^= 1
	c := s.slots[s.lastSlot]
	if c == nil {
		c = &concept{}
		s.slots[s.lastSlot] = c
	}
	s.cfg.makeConcept(id, c)
	return c
}

// makeConcept fills c with the hidden model of concept id.
func (cfg *Config) makeConcept(id uint64, c *concept) {
	c.id = id
	ws := conceptStream(cfg.Seed, id, tagWeights)
	d := cfg.NumNumeric
	if cfg.Kind == Blobs {
		c.centers = grow(c.centers, cfg.K*d)
		for i := range c.centers {
			c.centers[i] = (2.0*ws.unif(uint64(i)) - 1.0) * blobSpread
		}
		return
	}
	c.w = grow(c.w, d)
	for j := range c.w {
		c.w[j] = 2.0*ws.unif(uint64(j)) - 1.0
	}
	c.bias = ws.unif(uint64(d)) - 0.5
	c.catw = conceptStream(cfg.Seed, id, tagCatWeights)
}

func grow(b []float64, n int) []float64 {
	if cap(b) < n {
		return make([]float64, n)
	}
	return b[:n]
}

// blend is (1-a)*w0 + a*w1 with one rounding per operation (no FMA).
func blend(w0, w1, a float64) float64 {
	return float64((1.0-a)*w0) + float64(a*w1)
}

// catValue is the value index of categorical field f at row r.
func (s *Source) catValue(r int64, f int) uint64 {
	u := s.sCat.unif(uint64(r)*uint64(s.cfg.NumCategorical) + uint64(f))
	p := u
	for k := 1; k < s.cfg.Skew; k++ {
		p = p * u
	}
	card := uint64(s.cfg.Cardinality[f])
	v := uint64(float64(card) * p)
	return min(v, card-1)
}

func catKey(f int, v uint64) uint64 { return uint64(f+1)<<32 | v }

func (s *Source) fillLinear(r0 int64, n int) {
	d, nc := s.cfg.NumNumeric, s.cfg.NumCategorical
	if s.cfg.Kind == Classification {
		s.labels = s.labels[:n]
	} else {
		s.targets = s.targets[:n]
	}
	for i := range n {
		r := r0 + int64(i)
		k, a := s.cfg.Drift.conceptAt(r)
		c0 := s.conceptParams(k)
		var c1 *concept
		if a > 0 {
			c1 = s.conceptParams(k + 1)
		}
		z := c0.bias
		if c1 != nil {
			z = blend(c0.bias, c1.bias, a)
		}
		base := uint64(r) * uint64(d)
		for j := 0; j < d; j++ {
			x := s.sNum.ih4(base + uint64(j))
			s.cols[j][i] = x
			w := c0.w[j]
			if c1 != nil {
				w = blend(w, c1.w[j], a)
			}
			z = z + float64(x*w)
		}
		for f := 0; f < nc; f++ {
			v := s.catValue(r, f)
			key := catKey(f, v)
			w := 2.0*c0.catw.unif(key) - 1.0
			if c1 != nil {
				w = blend(w, 2.0*c1.catw.unif(key)-1.0, a)
			}
			z = z + w
			s.buf = strconv.AppendUint(append(s.buf[:0], s.catPrefix[f]...), v, 10)
			s.catB[f].BinaryBuilder.Append(s.buf)
		}
		if s.cfg.Kind == Classification {
			var y int64
			if s.sLabel.unif(uint64(r)) < sigmoid(z) {
				y = 1
			}
			if s.cfg.Noise > 0 && s.sNoise.unif(uint64(r)) < s.cfg.Noise {
				y = 1 - y
			}
			s.labels[i] = y
		} else {
			s.targets[i] = z + float64(s.cfg.Noise*s.sNoise.ih4(uint64(r)))
		}
	}
}

func (s *Source) fillBlobs(r0 int64, n int) {
	d, k := s.cfg.NumNumeric, uint64(s.cfg.K)
	s.labels = s.labels[:n]
	for i := range n {
		r := r0 + int64(i)
		ck, a := s.cfg.Drift.conceptAt(r)
		c0 := s.conceptParams(ck)
		var c1 *concept
		if a > 0 {
			c1 = s.conceptParams(ck + 1)
		}
		id := min(uint64(float64(k)*s.sCluster.unif(uint64(r))), k-1)
		s.labels[i] = int64(id)
		base := uint64(r) * uint64(d)
		off := int(id) * d
		for j := 0; j < d; j++ {
			m := c0.centers[off+j]
			if c1 != nil {
				m = blend(m, c1.centers[off+j], a)
			}
			s.cols[j][i] = m + float64(s.cfg.Noise*s.sNum.ih4(base+uint64(j)))
		}
	}
}

// Truth is the hidden model in force at one row.
type Truth struct {
	// Concept is k before drift point k (0 before the first) and k+a at
	// position a in (0, 1) of a gradual transition from concept k to k+1.
	Concept float64
	// Bias and Weights (one per numeric feature) of the linear predictor
	// (classification, regression).
	Bias    float64
	Weights []float64
	// Centers of the blobs, K x NumNumeric (blobs).
	Centers [][]float64
}

// Truth returns the hidden model in force at row r, as used to generate
// that row. It allocates; it is meant for tests and examples.
func (s *Source) Truth(r int64) Truth {
	k, a := s.cfg.Drift.conceptAt(r)
	var c0, c1 concept
	s.cfg.makeConcept(k, &c0)
	if a > 0 {
		s.cfg.makeConcept(k+1, &c1)
	}
	mix := func(i int, v0 []float64, v1 []float64) float64 {
		if a > 0 {
			return blend(v0[i], v1[i], a)
		}
		return v0[i]
	}
	t := Truth{Concept: float64(k) + a}
	if s.cfg.Kind == Blobs {
		d := s.cfg.NumNumeric
		for c := 0; c < s.cfg.K; c++ {
			row := make([]float64, d)
			for j := range row {
				row[j] = mix(c*d+j, c0.centers, c1.centers)
			}
			t.Centers = append(t.Centers, row)
		}
		return t
	}
	t.Bias = c0.bias
	if a > 0 {
		t.Bias = blend(c0.bias, c1.bias, a)
	}
	t.Weights = make([]float64, len(c0.w))
	for j := range t.Weights {
		t.Weights[j] = mix(j, c0.w, c1.w)
	}
	return t
}

// CategoryWeight returns the hidden weight of value v ("c{field}_{v}") of
// categorical field field at row r; 0 when field or v is out of range.
func (s *Source) CategoryWeight(r int64, field, v int) float64 {
	if s.cfg.Kind == Blobs || field < 0 || field >= s.cfg.NumCategorical || v < 0 || v >= s.cfg.Cardinality[field] {
		return 0
	}
	k, a := s.cfg.Drift.conceptAt(r)
	key := catKey(field, uint64(v))
	w := 2.0*conceptStream(s.cfg.Seed, k, tagCatWeights).unif(key) - 1.0
	if a > 0 {
		w = blend(w, 2.0*conceptStream(s.cfg.Seed, k+1, tagCatWeights).unif(key)-1.0, a)
	}
	return w
}
