package param

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

var (
	pBool   = New("with_mean", "center first", false)
	pInt    = New("k", "number of clusters", 2, Gt(0))
	pInt32  = New("n32", "an int32", int32(1))
	pInt64  = New("seed64", "an int64", int64(0))
	pFloat  = New("alpha", "regularisation", 0.5, InRange(0.0, 1.0))
	pString = New("mode", "a mode", "a", OneOf("a", "b"))
	pStrs   = New("cols", "columns", []string{"x"}, NonEmptySlice[string](), Distinct[string]())
	pInts   = New("sizes", "sizes", []int(nil), Each(Gt(0)))
	pFloats = New("splits", "splits", []float64{0.5})
)

func newTestSet() *Set {
	return NewSet("standard_scaler", pBool, pInt, pInt32, pInt64, pFloat, pString, pStrs, pInts, pFloats)
}

func TestSetAnyConversions(t *testing.T) {
	for i, tc := range []struct {
		name string
		in   any
		want any
		err  string
	}{
		0:  {"with_mean", true, true, ""},
		1:  {"with_mean", "yes", nil, `stage "standard_scaler": param "with_mean": want bool, got string "yes"`},
		2:  {"k", 3, 3, ""},
		3:  {"k", 3.0, 3, ""},
		4:  {"k", 1.5, nil, `stage "standard_scaler": param "k": want int, got float64 1.5 (not an integer)`},
		5:  {"k", json.Number("4"), 4, ""},
		6:  {"k", json.Number("1.5"), nil, "not an integer"},
		7:  {"k", json.Number("1e2"), 100, ""},
		8:  {"k", 0, nil, `stage "standard_scaler": param "k": must be > 0, got 0`},
		9:  {"k", "3", nil, `want int, got string "3"`},
		10: {"k", nil, nil, "want int, got null"},
		11: {"n32", int64(1) << 40, nil, "out of range"},
		12: {"n32", 3e9, nil, "out of range"},
		13: {"n32", uint8(7), int32(7), ""},
		14: {"seed64", json.Number("9223372036854775807"), int64(9223372036854775807), ""},
		15: {"seed64", 9.3e18, nil, "out of range"},
		16: {"seed64", json.Number("99999999999999999999"), nil, "out of range"},
		17: {"alpha", 1, 1.0, ""},
		18: {"alpha", json.Number("0.25"), 0.25, ""},
		19: {"alpha", 2.0, nil, "must be in [0, 1], got 2"},
		20: {"alpha", true, nil, "want float64, got bool true"},
		21: {"mode", "b", "b", ""},
		22: {"mode", "c", nil, `must be one of a, b, got "c"`},
		23: {"cols", []any{"a", "b"}, []string{"a", "b"}, ""},
		24: {"cols", []string{"a"}, []string{"a"}, ""},
		25: {"cols", []any{"a", 1}, nil, "element 1: want string, got int 1"},
		26: {"cols", []any{}, nil, "must have at least one element"},
		27: {"cols", []any{"a", "a"}, nil, "elements 0 and 1 are both a"},
		28: {"cols", "a", nil, `want []string, got string "a"`},
		29: {"sizes", []any{1.0, json.Number("2"), 3}, []int{1, 2, 3}, ""},
		30: {"sizes", []any{1, 0}, nil, "element 1: must be > 0, got 0"},
		31: {"sizes", []any{1, 2.5}, nil, "element 1: want int, got float64 2.5 (not an integer)"},
		32: {"splits", []any{1, 2.5}, []float64{1, 2.5}, ""},
		33: {"splits", nil, []float64(nil), ""},
		34: {"nope", 1, nil, `stage "standard_scaler": param "nope": unknown param; known params: alpha, cols, k, mode, n32, seed64, sizes, splits, with_mean`},
	} {
		s := newTestSet()
		err := s.SetAny(tc.name, tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%d: SetAny(%q, %#v) error = %v, want it to contain %q", i, tc.name, tc.in, err, tc.err)
			}
			if !s.IsSet(tc.name) {
				continue
			}
			t.Errorf("%d: failed SetAny changed the set", i)
			continue
		}
		if err != nil {
			t.Errorf("%d: SetAny(%q, %#v): %v", i, tc.name, tc.in, err)
			continue
		}
		got, err := s.GetAny(tc.name)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%d: GetAny(%q) = %#v, %v; want %#v", i, tc.name, got, err, tc.want)
		}
	}
}

func TestErrorType(t *testing.T) {
	s := newTestSet()
	err := s.SetAny("with_mean", "yes")
	var pe *Error
	if !errors.As(err, &pe) || pe.Kind != "standard_scaler" || pe.Param != "with_mean" {
		t.Fatalf("error %v is not a *param.Error naming the stage and param", err)
	}
	if err := s.SetAny("zzz", 1); !errors.Is(err, ErrUnknownParam) {
		t.Fatalf("unknown param error %v does not wrap ErrUnknownParam", err)
	}
}

func TestTypedGetSet(t *testing.T) {
	s := newTestSet()
	if got := pInt.Get(s); got != 2 {
		t.Fatalf("default k = %d, want 2", got)
	}
	if err := pInt.Set(s, 7); err != nil {
		t.Fatal(err)
	}
	if got := pInt.Get(s); got != 7 {
		t.Fatalf("k = %d, want 7", got)
	}
	err := pInt.Set(s, -1)
	if err == nil || err.Error() != `stage "standard_scaler": param "k": must be > 0, got -1` {
		t.Fatalf("Set(-1) error = %v", err)
	}
	if got := pInt.Get(s); got != 7 {
		t.Fatalf("failed Set changed k to %d", got)
	}
	// Slices are copied in and out.
	in := []string{"a", "b"}
	if err := pStrs.Set(s, in); err != nil {
		t.Fatal(err)
	}
	in[0] = "z"
	out := pStrs.Get(s)
	out[1] = "y"
	if got := pStrs.Get(s); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Fatalf("cols = %v, want [a b]: the set shares memory with callers", got)
	}
	def := pStrs.Default()
	def[0] = "mutated"
	if got := pStrs.Get(NewSet("x", pStrs)); !reflect.DeepEqual(got, []string{"x"}) {
		t.Fatalf("default mutated through Default(): %v", got)
	}
}

func TestUndeclaredParamPanics(t *testing.T) {
	s := NewSet("lonely", pBool)
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), `stage "lonely" does not declare param "k"`) {
			t.Fatalf("recover() = %v", r)
		}
	}()
	pInt.Get(s)
}

func TestNewPanicsOnInvalidDefault(t *testing.T) {
	for i, f := range []func(){
		func() { New("k", "", 0, Gt(0)) },
		func() { New("Bad-Name", "", 1) },
		func() { New("mode", "", "c", OneOf("a", "b")) },
		func() { NewSet("dup", pInt, New("k", "another k", 1)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%d: no panic", i)
				}
			}()
			f()
		}()
	}
	// Declaring the same param twice (through two mixins) is harmless.
	NewSet("twice", pInt, pInt)
}

func TestSetMapAllOrNothing(t *testing.T) {
	s := newTestSet()
	err := s.SetMap(map[string]any{"k": 5, "alpha": 3.0, "bogus": 1, "mode": "b"})
	if err == nil {
		t.Fatal("SetMap accepted an invalid map")
	}
	msg := err.Error()
	for _, want := range []string{`param "alpha": must be in [0, 1], got 3`, `param "bogus": unknown param`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Index(msg, "alpha") > strings.Index(msg, "bogus") {
		t.Errorf("errors not in name order: %q", msg)
	}
	if s.IsSet("k") || s.IsSet("mode") {
		t.Fatal("a failed SetMap set some params")
	}
	if err := s.SetMap(map[string]any{"k": 5, "mode": "b"}); err != nil {
		t.Fatal(err)
	}
	if pInt.Get(s) != 5 || pString.Get(s) != "b" {
		t.Fatal("SetMap did not set the values")
	}
	if err := s.SetMap(nil); err != nil {
		t.Fatal(err)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	s := newTestSet()
	if err := s.SetMap(map[string]any{"k": 9, "seed64": int64(1) << 60, "cols": []any{"p", "q"}, "alpha": 0.125}); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	s2 := newTestSet()
	if err := json.Unmarshal(b, s2); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.Values(), s2.Values()) {
		t.Fatalf("round trip: %v != %v", s2.Values(), s.Values())
	}
	if pInt64.Get(s2) != 1<<60 {
		t.Fatalf("int64 lost precision: %d", pInt64.Get(s2))
	}
	if err := json.Unmarshal([]byte(`{"k": 1.5}`), newTestSet()); err == nil || !strings.Contains(err.Error(), "not an integer") {
		t.Fatalf("unmarshal of k=1.5: %v", err)
	}
	if err := json.Unmarshal([]byte(`[1]`), newTestSet()); err == nil {
		t.Fatal("unmarshal of a list succeeded")
	}
}

func TestMixins(t *testing.T) {
	type stage struct {
		HasFeaturesCol
		HasLabelCol
		HasPredictionCol
		HasRawPredictionCol
		HasProbabilityCol
		HasWeightCol
		HasSeed
		HasMaxIter
		HasTol
		HasInputCol
		HasOutputCol
		HasInputCols
		HasOutputCols
		HasHandleInvalid
		HasModelVersionCol
	}
	var st stage
	s := NewSet("everything", &st.HasFeaturesCol, &st.HasLabelCol, &st.HasPredictionCol, &st.HasRawPredictionCol,
		&st.HasProbabilityCol, &st.HasWeightCol, &st.HasSeed, &st.HasMaxIter, &st.HasTol, &st.HasInputCol,
		&st.HasOutputCol, &st.HasInputCols, &st.HasOutputCols, &st.HasHandleInvalid, &st.HasModelVersionCol)
	if len(s.Params()) != 15 {
		t.Fatalf("%d params declared, want 15", len(s.Params()))
	}
	if st.FeaturesCol() != "features" || st.LabelCol() != "label" || st.HandleInvalid() != "error" || st.MaxIter() != 20 {
		t.Fatal("wrong defaults")
	}
	checks := []error{
		st.SetFeaturesCol("f"), st.SetLabelCol("l"), st.SetPredictionCol("p"), st.SetRawPredictionCol("r"),
		st.SetProbabilityCol("pr"), st.SetWeightCol("w"), st.SetSeed(42), st.SetMaxIter(7), st.SetTol(0.5),
		st.SetInputCol("i"), st.SetOutputCol("o"), st.SetInputCols("a", "b"), st.SetOutputCols("c", "d"),
		st.SetHandleInvalid("skip"), st.SetModelVersionCol("v"),
	}
	if err := errors.Join(checks...); err != nil {
		t.Fatal(err)
	}
	got := []any{st.FeaturesCol(), st.LabelCol(), st.PredictionCol(), st.RawPredictionCol(), st.ProbabilityCol(),
		st.WeightCol(), st.Seed(), st.MaxIter(), st.Tol(), st.InputCol(), st.OutputCol(), st.InputCols(),
		st.OutputCols(), st.HandleInvalid(), st.ModelVersionCol()}
	want := []any{"f", "l", "p", "r", "pr", "w", int64(42), 7, 0.5, "i", "o", []string{"a", "b"}, []string{"c", "d"}, "skip", "v"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("mixin values %v, want %v", got, want)
	}
	if err := st.SetHandleInvalid("ignore"); err == nil ||
		err.Error() != `stage "everything": param "handle_invalid": must be one of error, keep, skip, got "ignore"` {
		t.Fatalf("SetHandleInvalid(ignore) = %v", err)
	}
	if err := st.SetMaxIter(0); err == nil {
		t.Fatal("max_iter 0 accepted")
	}
	if err := st.SetFeaturesCol(""); err == nil {
		t.Fatal("empty features_col accepted")
	}
	var unbound HasLabelCol
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(r.(string), "HasLabelCol") {
				t.Fatalf("unbound mixin: recover() = %v", r)
			}
		}()
		unbound.LabelCol()
	}()
}

func TestCopyFromAndDescribe(t *testing.T) {
	est := NewSet("est", pInt, pFloat, pString)
	if err := est.SetMap(map[string]any{"k": 4, "mode": "b"}); err != nil {
		t.Fatal(err)
	}
	model := NewSet("model", pInt, pBool)
	if err := model.CopyFrom(est); err != nil {
		t.Fatal(err)
	}
	if pInt.Get(model) != 4 {
		t.Fatalf("CopyFrom: k = %d", pInt.Get(model))
	}
	info := est.Describe()
	if len(info) != 3 || info[0].Name != "k" || info[0].Type != "int" || info[0].Default != 2 ||
		!reflect.DeepEqual(info[0].Constraints, []string{"> 0"}) || info[2].Constraints[0] != "one of a, b" {
		t.Fatalf("Describe = %+v", info)
	}
	if _, err := json.Marshal(info); err != nil {
		t.Fatal(err)
	}
}
