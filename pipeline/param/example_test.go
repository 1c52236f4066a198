package param_test

import (
	"fmt"

	"github.com/eddyml/eddy/pipeline/param"
)

// A stage declares its own params once and embeds shared mixins.
var withMean = param.New("with_mean", "center the data before scaling", false)

type scaler struct {
	param.HasInputCol
	params *param.Set
}

func ExampleNew() {
	s := &scaler{}
	s.params = param.NewSet("standard_scaler", &s.HasInputCol, withMean)

	// Values decoded from YAML or JSON are converted and checked by name.
	err := s.params.SetMap(map[string]any{"with_mean": "yes"})
	fmt.Println(err)
	err = s.params.SetMap(map[string]any{"with_mean": true, "input_col": "age"})
	fmt.Println(err, withMean.Get(s.params), s.InputCol())
	fmt.Println(s.params.SetAny("with_std", true))
	for _, p := range s.params.Describe() {
		fmt.Printf("%s %s (default %v): %s\n", p.Name, p.Type, p.Default, p.Doc)
	}
	// Output:
	// stage "standard_scaler": param "with_mean": want bool, got string "yes"
	// <nil> true age
	// stage "standard_scaler": param "with_std": unknown param; known params: input_col, with_mean
	// input_col string (default input): name of the input column
	// with_mean bool (default false): center the data before scaling
}
