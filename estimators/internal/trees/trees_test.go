package trees

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
)

// stump is x[0] <= 1.5 ? {3, 1} : {0, 4}.
func stump() Tree {
	var t Tree
	t.Width = 2
	t.AddLeaf(8, 3, 5)
	l := t.AddLeaf(4, 3, 1)
	r := t.AddLeaf(4, 0, 4)
	t.Split(0, 0, 1.5, l, r, 2)
	return t
}

func TestRecordsRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	cases := []struct {
		name         string
		e            *Ensemble
		clf, boosted bool
	}{
		{"classifier", &Ensemble{Trees: []Tree{stump(), stump()}, Labels: []float64{-1, 1}, Dim: 2}, true, false},
		{"boosted regressor", &Ensemble{Trees: []Tree{leafTree(0.5)}, Baseline: []float64{3}, Dim: 1}, false, true},
		{"boosted multiclass", &Ensemble{Trees: []Tree{leafTree(1), leafTree(2), leafTree(3)}, Labels: []float64{0, 1, 2},
			Baseline: []float64{0, 0, 0}, Dim: 4}, true, true},
	}
	for _, c := range cases {
		recs, err := c.e.Records(mem)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(recs, c.clf, c.boosted)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(c.e) {
			t.Errorf("%s: decoded %v\nwant %v", c.name, got, c.e)
		}
		if _, err := Decode(recs, !c.clf, c.boosted); err == nil {
			t.Errorf("%s: decoded with the wrong kind", c.name)
		}
		for _, r := range recs {
			r.Release()
		}
	}
}

func leafTree(v float64) Tree {
	t := Tree{Width: 1}
	t.AddLeaf(1, v)
	return t
}

// TestDecodeErrors feeds corrupt node tables: each must be refused.
func TestDecodeErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	type nodes struct {
		tree, node, feat, left, right []int32
	}
	good := nodes{[]int32{0, 0, 0}, []int32{0, 1, 2}, []int32{0, -1, -1}, []int32{1, -1, -1}, []int32{2, -1, -1}}
	cases := []struct {
		name string
		edit func(n *nodes)
		want string
	}{
		{"cycle", func(n *nodes) { n.left[0] = 0 }, "out of order or range"},
		{"child out of range", func(n *nodes) { n.right[0] = 7 }, "out of order or range"},
		{"feature out of range", func(n *nodes) { n.feat[0] = 5 }, "feature 5, model has 2"},
		{"leaf with child", func(n *nodes) { n.left[1] = 2 }, "leaf with children"},
		{"node ids", func(n *nodes) { n.node[2] = 5 }, "node 5, want node 2"},
		{"tree ids", func(n *nodes) { n.tree = []int32{1, 1, 1} }, "tree 1, want 0"},
	}
	for _, c := range cases {
		n := good
		n.tree, n.node, n.feat, n.left, n.right = clone(good.tree), clone(good.node), clone(good.feat), clone(good.left), clone(good.right)
		c.edit(&n)
		meta, _ := table.Build(mem, table.Col("num_features", []int32{2}))
		nd, err := table.Build(mem, table.Col("tree", n.tree), table.Col("node", n.node), table.Col("feature", n.feat),
			table.Col("threshold", []float64{1, 0, 0}), table.Col("left", n.left), table.Col("right", n.right),
			table.Col("gain", []float64{1, 0, 0}), table.Col("weight", []float64{2, 1, 1}),
			table.DenseCol("value", 1, [][]float64{{0}, {1}, {2}}))
		if err != nil {
			t.Fatal(err)
		}
		_, err = Decode([]arrow.Record{meta, nd}, false, false)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		meta.Release()
		nd.Release()
	}
}

func clone(s []int32) []int32 { return append([]int32(nil), s...) }

func TestResolveMaxFeatures(t *testing.T) {
	cases := []struct {
		v    string
		d    int
		want int
		bad  bool
	}{
		{"all", 30, 30, false}, {"sqrt", 30, 5, false}, {"log2", 30, 4, false}, {"sqrt", 1, 1, false},
		{"0.5", 9, 4, false}, {"0.01", 9, 1, false}, {"1.0", 9, 9, false}, {"3", 9, 3, false}, {"12", 9, 9, false},
		{"0", 9, 0, true}, {"1.5", 9, 0, true}, {"-2", 9, 0, true}, {"half", 9, 0, true},
	}
	for _, c := range cases {
		got, err := ResolveMaxFeatures(c.v, c.d)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("ResolveMaxFeatures(%q, %d) = %d, %v", c.v, c.d, got, err)
		}
	}
}

func TestImportancesAndShape(t *testing.T) {
	a := stump()
	var b Tree
	b.Width = 2
	b.AddLeaf(8, 3, 5)
	l := b.AddLeaf(4, 3, 1)
	r := b.AddLeaf(4, 0, 4)
	b.Split(0, 1, 0, l, r, 6)
	// Each tree normalised to 1: feature 0 gets 1/2, feature 1 gets 1/2.
	if got := Importances([]Tree{a, b}, 3); fmt.Sprint(got) != "[0.5 0.5 0]" {
		t.Errorf("importances %v", got)
	}
	if got := Importances([]Tree{leafTree(1)}, 2); fmt.Sprint(got) != "[0 0]" {
		t.Errorf("no split: %v", got)
	}
	if a.Depth() != 1 || a.NumLeaves() != 2 || fmt.Sprint(a.LeafValue([]float64{1.5, 0})) != "[3 1]" ||
		fmt.Sprint(a.LeafValue([]float64{1.6, 0})) != "[0 4]" {
		t.Errorf("depth %d leaves %d", a.Depth(), a.NumLeaves())
	}
}

// TestBuildGini checks one split by hand: rows (x, class) (1,a) (2,a)
// (3,b) (4,a); the best Gini split is x <= 2.5 (left pure).
func TestBuildGini(t *testing.T) {
	d := &Data{N: 4, D: 1, XT: []float64{1, 2, 3, 4}, Class: []int32{0, 0, 1, 0}, K: 2}
	d.Presort()
	tr := Build(d, nil, Config{Criterion: Gini, MaxDepth: 1, MinSamplesSplit: 2, MinSamplesLeaf: 1, MaxFeatures: 1}, rand.New(rand.NewPCG(1, 1)))
	// Root gini 1 - (9+1)/16 = 0.375; right {3:b, 4:a} gini 0.5: gain 4*0.375 - 2*0.5 = 0.5.
	if tr.Len() != 3 || tr.Threshold[0] != 2.5 || tr.Gain[0] != 0.5 || fmt.Sprint(tr.Value) != "[3 1 2 0 1 1]" {
		t.Errorf("tree %+v", tr)
	}
}
