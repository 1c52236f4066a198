package linmodel

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
)

// oneVsRest is linear_svc's rule: one vector for two classes, else one
// per class.
func oneVsRest(nvec, nlabels int) error {
	want := nlabels
	if want == 2 {
		want = 1
	}
	if nvec != want {
		return fmt.Errorf("%d coefficient vectors for %d labels, want %d", nvec, nlabels, want)
	}
	return nil
}

func TestRecordsDecode(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	coefs := [][]float64{{1, 2}, {3, 4}, {5, 6}}
	recs, err := Records(mem, coefs, []float64{-1, 0, 1}, []float64{0, 2, 5}, oneVsRest)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	got, err := Decode(recs, oneVsRest)
	if err != nil {
		t.Fatal(err)
	}
	want := Coefs{Coef: []float64{1, 2, 3, 4, 5, 6}, Intercepts: []float64{-1, 0, 1}, Labels: []float64{0, 2, 5}, Dim: 2}
	if !reflect.DeepEqual(got.Clone(), want) {
		t.Errorf("decoded %+v, want %+v", got, want)
	}
	if err := got.Check([]float64{0, 2, 5}, 2); err != nil {
		t.Error(err)
	}
	if err := got.Check([]float64{0, 1}, 2); err == nil || err.Error() != "the initial model has labels [0 2 5], the data [0 1]" {
		t.Errorf("labels: got %v", err)
	}
	if err := got.Check([]float64{0, 2, 5}, 3); err == nil || err.Error() != "the initial model has 2 features, the data 3" {
		t.Errorf("dim: got %v", err)
	}
	if _, err := Decode(recs[:1], oneVsRest); err == nil {
		t.Error("one record: no error")
	}
}

func TestRecordsShapeErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for i, c := range []struct {
		coefs              [][]float64
		intercepts, labels []float64
		want               string
	}{
		0: {[][]float64{{1}}, []float64{0}, []float64{1}, "1 labels, want at least 2"},
		1: {[][]float64{{1}}, []float64{0}, []float64{2, 1}, "labels are not sorted and distinct"},
		2: {[][]float64{{1}}, []float64{0, 1}, []float64{1, 2}, "1 coefficient vectors for 2 intercepts"},
		3: {[][]float64{{1}, {2}}, []float64{0, 1}, []float64{1, 2}, "2 coefficient vectors for 2 labels, want 1"},
		4: {[][]float64{{1}, {2, 3}, {4}}, []float64{0, 1, 2}, []float64{1, 2, 3}, "coefficient vectors differ in size"},
	} {
		recs, err := Records(mem, c.coefs, c.intercepts, c.labels, oneVsRest)
		if err == nil || err.Error() != c.want {
			t.Errorf("%d: got %v, want %q", i, err, c.want)
		}
		if recs != nil {
			t.Errorf("%d: records on error", i)
		}
	}
}

func TestClasses(t *testing.T) {
	labels, cls, err := Classes([]float64{5, 1, 5, 3}, "y")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(labels, []float64{1, 3, 5}) || !reflect.DeepEqual(cls, []int32{2, 0, 2, 1}) {
		t.Errorf("got %v %v", labels, cls)
	}
	_, _, err = Classes([]float64{4, 4}, "y")
	if err == nil || err.Error() != `label column "y" has only one class (4): need at least two` {
		t.Errorf("one class: got %v", err)
	}
}
