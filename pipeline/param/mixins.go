package param

// Shared params, declared once so that every stage spells them the same
// way (after Flink ML's HasFeaturesCol, HasLabelCol...). Stages use them
// through the mixins below.
var (
	FeaturesCol      = New("features_col", "name of the features column", "features", NonEmpty())
	LabelCol         = New("label_col", "name of the label column", "label", NonEmpty())
	PredictionCol    = New("prediction_col", "name of the prediction column", "prediction", NonEmpty())
	RawPredictionCol = New("raw_prediction_col", "name of the raw prediction (scores or margins) column", "raw_prediction", NonEmpty())
	ProbabilityCol   = New("probability_col", "name of the column of predicted class probabilities", "probability", NonEmpty())
	WeightCol        = New("weight_col", "name of the row weight column; empty means every row weighs 1", "")
	Seed             = New("seed", "seed of the random number generator", int64(0))
	MaxIter          = New("max_iter", "maximum number of iterations", 20, Gt(0))
	Tol              = New("tol", "convergence tolerance", 1e-6, GtEq(0.0))
	InputCol         = New("input_col", "name of the input column", "input", NonEmpty())
	OutputCol        = New("output_col", "name of the output column", "output", NonEmpty())
	InputCols        = New("input_cols", "names of the input columns", []string(nil), Distinct[string]())
	OutputCols       = New("output_cols", "names of the output columns, one per input column", []string(nil), Distinct[string]())
	HandleInvalid    = New("handle_invalid", "what to do with invalid rows (nulls, NaN, unseen categories): "+
		"error fails the batch, keep keeps the row and marks the value (a null output, or an extra bucket), skip drops the row",
		HandleError, OneOf(HandleError, HandleKeep, HandleSkip))
	ModelVersionCol = New("model_version_col", "name of an int64 output column holding the version of the model that scored each row; empty means no such column", "")
)

// The values of HandleInvalid.
const (
	HandleError = "error"
	HandleKeep  = "keep"
	HandleSkip  = "skip"
)

// bind records the Set a mixin reads from; the mixin panics if used unbound.
type bind struct{ set *Set }

func (b *bind) s(mixin string) *Set {
	if b.set == nil {
		panic("param: mixin " + mixin + " used before being declared in a Set")
	}
	return b.set
}

// HasFeaturesCol gives a stage the features_col param. Embed it and pass
// its address to NewSet.
type HasFeaturesCol struct{ b bind }

func (m *HasFeaturesCol) Declare(s *Set)     { m.b.set = s; FeaturesCol.Declare(s) }
func (m HasFeaturesCol) FeaturesCol() string { return FeaturesCol.Get(m.b.s("HasFeaturesCol")) }
func (m HasFeaturesCol) SetFeaturesCol(v string) error {
	return FeaturesCol.Set(m.b.s("HasFeaturesCol"), v)
}

// HasLabelCol gives a stage the label_col param.
type HasLabelCol struct{ b bind }

func (m *HasLabelCol) Declare(s *Set)            { m.b.set = s; LabelCol.Declare(s) }
func (m HasLabelCol) LabelCol() string           { return LabelCol.Get(m.b.s("HasLabelCol")) }
func (m HasLabelCol) SetLabelCol(v string) error { return LabelCol.Set(m.b.s("HasLabelCol"), v) }

// HasPredictionCol gives a stage the prediction_col param.
type HasPredictionCol struct{ b bind }

func (m *HasPredictionCol) Declare(s *Set)       { m.b.set = s; PredictionCol.Declare(s) }
func (m HasPredictionCol) PredictionCol() string { return PredictionCol.Get(m.b.s("HasPredictionCol")) }
func (m HasPredictionCol) SetPredictionCol(v string) error {
	return PredictionCol.Set(m.b.s("HasPredictionCol"), v)
}

// HasRawPredictionCol gives a stage the raw_prediction_col param.
type HasRawPredictionCol struct{ b bind }

func (m *HasRawPredictionCol) Declare(s *Set) { m.b.set = s; RawPredictionCol.Declare(s) }
func (m HasRawPredictionCol) RawPredictionCol() string {
	return RawPredictionCol.Get(m.b.s("HasRawPredictionCol"))
}
func (m HasRawPredictionCol) SetRawPredictionCol(v string) error {
	return RawPredictionCol.Set(m.b.s("HasRawPredictionCol"), v)
}

// HasProbabilityCol gives a stage the probability_col param.
type HasProbabilityCol struct{ b bind }

func (m *HasProbabilityCol) Declare(s *Set) { m.b.set = s; ProbabilityCol.Declare(s) }
func (m HasProbabilityCol) ProbabilityCol() string {
	return ProbabilityCol.Get(m.b.s("HasProbabilityCol"))
}
func (m HasProbabilityCol) SetProbabilityCol(v string) error {
	return ProbabilityCol.Set(m.b.s("HasProbabilityCol"), v)
}

// HasWeightCol gives a stage the weight_col param.
type HasWeightCol struct{ b bind }

func (m *HasWeightCol) Declare(s *Set)             { m.b.set = s; WeightCol.Declare(s) }
func (m HasWeightCol) WeightCol() string           { return WeightCol.Get(m.b.s("HasWeightCol")) }
func (m HasWeightCol) SetWeightCol(v string) error { return WeightCol.Set(m.b.s("HasWeightCol"), v) }

// HasSeed gives a stage the seed param.
type HasSeed struct{ b bind }

func (m *HasSeed) Declare(s *Set)       { m.b.set = s; Seed.Declare(s) }
func (m HasSeed) Seed() int64           { return Seed.Get(m.b.s("HasSeed")) }
func (m HasSeed) SetSeed(v int64) error { return Seed.Set(m.b.s("HasSeed"), v) }

// HasMaxIter gives a stage the max_iter param.
type HasMaxIter struct{ b bind }

func (m *HasMaxIter) Declare(s *Set)        { m.b.set = s; MaxIter.Declare(s) }
func (m HasMaxIter) MaxIter() int           { return MaxIter.Get(m.b.s("HasMaxIter")) }
func (m HasMaxIter) SetMaxIter(v int) error { return MaxIter.Set(m.b.s("HasMaxIter"), v) }

// HasTol gives a stage the tol param.
type HasTol struct{ b bind }

func (m *HasTol) Declare(s *Set)        { m.b.set = s; Tol.Declare(s) }
func (m HasTol) Tol() float64           { return Tol.Get(m.b.s("HasTol")) }
func (m HasTol) SetTol(v float64) error { return Tol.Set(m.b.s("HasTol"), v) }

// HasInputCol gives a stage the input_col param.
type HasInputCol struct{ b bind }

func (m *HasInputCol) Declare(s *Set)            { m.b.set = s; InputCol.Declare(s) }
func (m HasInputCol) InputCol() string           { return InputCol.Get(m.b.s("HasInputCol")) }
func (m HasInputCol) SetInputCol(v string) error { return InputCol.Set(m.b.s("HasInputCol"), v) }

// HasOutputCol gives a stage the output_col param.
type HasOutputCol struct{ b bind }

func (m *HasOutputCol) Declare(s *Set)             { m.b.set = s; OutputCol.Declare(s) }
func (m HasOutputCol) OutputCol() string           { return OutputCol.Get(m.b.s("HasOutputCol")) }
func (m HasOutputCol) SetOutputCol(v string) error { return OutputCol.Set(m.b.s("HasOutputCol"), v) }

// HasInputCols gives a stage the input_cols param.
type HasInputCols struct{ b bind }

func (m *HasInputCols) Declare(s *Set)                { m.b.set = s; InputCols.Declare(s) }
func (m HasInputCols) InputCols() []string            { return InputCols.Get(m.b.s("HasInputCols")) }
func (m HasInputCols) SetInputCols(v ...string) error { return InputCols.Set(m.b.s("HasInputCols"), v) }

// HasOutputCols gives a stage the output_cols param.
type HasOutputCols struct{ b bind }

func (m *HasOutputCols) Declare(s *Set)      { m.b.set = s; OutputCols.Declare(s) }
func (m HasOutputCols) OutputCols() []string { return OutputCols.Get(m.b.s("HasOutputCols")) }
func (m HasOutputCols) SetOutputCols(v ...string) error {
	return OutputCols.Set(m.b.s("HasOutputCols"), v)
}

// HasHandleInvalid gives a stage the handle_invalid param (error, keep or
// skip).
type HasHandleInvalid struct{ b bind }

func (m *HasHandleInvalid) Declare(s *Set) { m.b.set = s; HandleInvalid.Declare(s) }
func (m HasHandleInvalid) HandleInvalid() string {
	return HandleInvalid.Get(m.b.s("HasHandleInvalid"))
}
func (m HasHandleInvalid) SetHandleInvalid(v string) error {
	return HandleInvalid.Set(m.b.s("HasHandleInvalid"), v)
}

// HasModelVersionCol gives a model the model_version_col param.
type HasModelVersionCol struct{ b bind }

func (m *HasModelVersionCol) Declare(s *Set) { m.b.set = s; ModelVersionCol.Declare(s) }
func (m HasModelVersionCol) ModelVersionCol() string {
	return ModelVersionCol.Get(m.b.s("HasModelVersionCol"))
}
func (m HasModelVersionCol) SetModelVersionCol(v string) error {
	return ModelVersionCol.Set(m.b.s("HasModelVersionCol"), v)
}
