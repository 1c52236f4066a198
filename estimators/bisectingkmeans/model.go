package bisectingkmeans

import (
	"context"
	"fmt"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/scoring"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
)

// Node is one node of a bisecting k-means tree.
type Node struct {
	Center      []float64
	Left, Right int     // child nodes (indices), -1 for a leaf
	Label       int     // cluster of a leaf, -1 for an inner node
	Score       float64 // inertia or size, as used to choose splits
	Size        float64 // training rows
}

// ModelDataRecord builds bisecting_kmeans_model data from a tree whose
// root is nodes[0] (see the package doc). The caller owns one Release.
func ModelDataRecord(mem memory.Allocator, nodes []Node) (arrow.Record, error) {
	if _, err := check(nodes); err != nil {
		return nil, err
	}
	n := len(nodes)
	centers := make([][]float64, n)
	left, right, label := make([]int64, n), make([]int64, n), make([]int64, n)
	score, size := make([]float64, n), make([]float64, n)
	for i, nd := range nodes {
		centers[i] = nd.Center
		left[i], right[i], label[i] = int64(nd.Left), int64(nd.Right), int64(nd.Label)
		score[i], size[i] = nd.Score, nd.Size
	}
	return table.Build(mem, table.DenseCol("center", len(centers[0]), centers), table.Col("left", left), table.Col("right", right),
		table.Col("label", label), table.Col("score", score), table.Col("size", size))
}

func treeRecord(mem memory.Allocator, nodes []node) (arrow.Record, error) {
	out := make([]Node, len(nodes))
	for i, nd := range nodes {
		out[i] = Node{Center: nd.center, Left: nd.left, Right: nd.right, Label: nd.label, Score: nd.score, Size: nd.size}
	}
	return ModelDataRecord(mem, out)
}

// tree is a decoded model: centers (nodes×d), children and leaf labels.
type tree struct {
	centers     []float64
	left, right []int
	label       []int
	leafCenters [][]float64 // by label
	d, k        int
}

// check validates a tree: every node but the root has exactly one parent,
// inner nodes have two children, leaves have distinct labels 0..k-1.
func check(nodes []Node) (*tree, error) {
	n := len(nodes)
	if n == 0 || len(nodes[0].Center) == 0 {
		return nil, fmt.Errorf("%d nodes, want a tree with a root center", n)
	}
	d := len(nodes[0].Center)
	t := &tree{d: d, left: make([]int, n), right: make([]int, n), label: make([]int, n)}
	parents := make([]int, n)
	leaves := 0
	for i, nd := range nodes {
		if len(nd.Center) != d {
			return nil, fmt.Errorf("node %d: center of size %d, want %d", i, len(nd.Center), d)
		}
		t.centers = append(t.centers, nd.Center...)
		t.left[i], t.right[i], t.label[i] = nd.Left, nd.Right, nd.Label
		if (nd.Left < 0) != (nd.Right < 0) {
			return nil, fmt.Errorf("node %d: one child (%d, %d)", i, nd.Left, nd.Right)
		}
		if nd.Left < 0 {
			leaves++
			continue
		}
		for _, c := range []int{nd.Left, nd.Right} {
			if c <= 0 || c >= n || c == i {
				return nil, fmt.Errorf("node %d: child %d out of range", i, c)
			}
			parents[c]++
		}
	}
	// Every node must hang from the root.
	seen, stack := 0, []int{0}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen++; seen > n {
			break
		}
		if nodes[i].Left >= 0 {
			stack = append(stack, nodes[i].Left, nodes[i].Right)
		}
	}
	if seen != n {
		return nil, fmt.Errorf("%d of %d nodes reachable from the root", seen, n)
	}
	t.k = leaves
	t.leafCenters = make([][]float64, leaves)
	for i, nd := range nodes {
		if i > 0 && parents[i] != 1 {
			return nil, fmt.Errorf("node %d has %d parents, want 1", i, parents[i])
		}
		if nd.Left >= 0 {
			if nd.Label != -1 {
				return nil, fmt.Errorf("inner node %d has label %d, want -1", i, nd.Label)
			}
			continue
		}
		if nd.Label < 0 || nd.Label >= leaves || t.leafCenters[nd.Label] != nil {
			return nil, fmt.Errorf("leaf %d: label %d not distinct in [0, %d)", i, nd.Label, leaves)
		}
		t.leafCenters[nd.Label] = nd.Center
	}
	return t, nil
}

func decode(data []arrow.Record) (*tree, error) {
	if len(data) != 1 {
		return nil, fmt.Errorf("want 1 model data record, got %d", len(data))
	}
	rec := data[0]
	col := func(name string) (arrow.Array, error) {
		i, err := table.FieldIndex(rec.Schema(), name)
		if err != nil {
			return nil, err
		}
		return rec.Column(i), nil
	}
	a, err := col("center")
	if err != nil {
		return nil, err
	}
	centers, d, err := table.DenseVectors(a)
	if err != nil {
		return nil, fmt.Errorf("column \"center\": %w", err)
	}
	nodes := make([]Node, rec.NumRows())
	for i := range nodes {
		nodes[i].Center = centers[i*d : (i+1)*d]
	}
	for _, c := range []struct {
		name string
		set  func(i int, v int64)
	}{{"left", func(i int, v int64) { nodes[i].Left = int(v) }}, {"right", func(i int, v int64) { nodes[i].Right = int(v) }},
		{"label", func(i int, v int64) { nodes[i].Label = int(v) }}} {
		a, err := col(c.name)
		if err != nil {
			return nil, err
		}
		v, err := table.Int64s(a)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", c.name, err)
		}
		for i, x := range v {
			c.set(i, x)
		}
	}
	for _, c := range []struct {
		name string
		set  func(i int, v float64)
	}{{"score", func(i int, v float64) { nodes[i].Score = v }}, {"size", func(i int, v float64) { nodes[i].Size = v }}} {
		a, err := col(c.name)
		if err != nil {
			return nil, err
		}
		v, err := table.Float64s(a)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", c.name, err)
		}
		for i, x := range v {
			c.set(i, x)
		}
	}
	return check(nodes)
}

// predict walks from the root to a leaf, taking the nearer child.
func (t *tree) predict(xi []float64) int {
	d, i := t.d, 0
	for t.left[i] >= 0 {
		l, r := t.left[i], t.right[i]
		if sqDist(xi, t.centers[r*d:(r+1)*d]) < sqDist(xi, t.centers[l*d:(l+1)*d]) {
			i = r
		} else {
			i = l
		}
	}
	return t.label[i]
}

// Model is the bisecting_kmeans_model.
type Model struct {
	param.HasFeaturesCol
	param.HasPredictionCol
	param.HasModelVersionCol
	params *param.Set
	state  pipeline.ModelState[*tree]
}

var (
	_ pipeline.Model     = (*Model)(nil)
	_ pipeline.Versioned = (*Model)(nil)
)

// NewModel builds a bisecting_kmeans_model (without data) from param
// values.
func NewModel(values map[string]any) (*Model, error) {
	m := &Model{}
	m.params = param.NewSet(ModelKind, &m.HasFeaturesCol, &m.HasPredictionCol, &m.HasModelVersionCol, K, BisectingStrategy)
	if err := m.params.SetMap(values); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Model) Kind() string              { return ModelKind }
func (m *Model) Params() *param.Set        { return m.params }
func (m *Model) ModelData() []arrow.Record { return m.state.ModelData() }
func (m *Model) ModelVersion() int64       { return m.state.ModelVersion() }

// SetModelData replaces the tree (see ModelDataRecord).
func (m *Model) SetModelData(recs ...arrow.Record) error {
	if err := m.state.Set(recs, decode); err != nil {
		return fmt.Errorf("stage %q: set model data: %w", ModelKind, err)
	}
	return nil
}

// Centers returns copies of the leaf centers by cluster label; nil
// without data.
func (m *Model) Centers() [][]float64 {
	snap := m.state.Load()
	if snap == nil {
		return nil
	}
	out := make([][]float64, len(snap.State.leafCenters))
	for i, c := range snap.State.leafCenters {
		out[i] = slices.Clone(c)
	}
	return out
}

// OutputSchema appends the float64 prediction column (the leaf label) and
// the model version column when model_version_col is set.
func (m *Model) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	out, err := scoring.OutputSchema(in, m.FeaturesCol(), []arrow.Field{scoring.Field(m.PredictionCol(), 0)}, m.ModelVersionCol())
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, err)
	}
	return out, nil
}

// Transform assigns every row of rec (borrowed) a leaf.
func (m *Model) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	snap := m.state.Load()
	if snap == nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, pipeline.ErrNoModelData)
	}
	t := snap.State
	schema, err := m.OutputSchema(rec.Schema())
	if err != nil {
		return nil, err
	}
	x, err := scoring.Features(rec, m.FeaturesCol(), t.d)
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, err)
	}
	mem := pipeline.Allocator(ctx)
	n := int(rec.NumRows())
	pred := scoring.NewColumn(mem, m.PredictionCol(), 0, n)
	for i := range n {
		pred.Values[i] = float64(t.predict(x[i*t.d : (i+1)*t.d]))
	}
	return scoring.Finish(mem, rec, schema, []*scoring.Column{pred}, m.ModelVersionCol(), snap.Version)
}
