package drift_test

import (
	"fmt"

	"github.com/eddyml/eddy/online/drift"
)

// A classifier's errors: right 9 times in 10, then wrong 9 times in 10.
func Example() {
	ph, err := drift.NewPageHinkley(drift.PageHinkleyConfig{Delta: 0.01, Threshold: 20})
	if err != nil {
		fmt.Println(err)
		return
	}
	ddm, _ := drift.NewDDM(drift.DDMConfig{})
	adwin, _ := drift.NewADWIN(drift.ADWINConfig{})
	for i := range 2000 {
		x := 0.0
		if (i < 1000) == (i%10 == 0) {
			x = 1
		}
		for _, d := range []drift.Detector{adwin, ddm, ph} {
			if d.Update(x) {
				fmt.Printf("%s: drift at row %d (statistic %.3f)\n", d.Name(), i, d.Statistic())
			}
		}
	}
	fmt.Printf("adwin window: %d rows, mean %.2f\n", adwin.Width(), adwin.Mean())
	// Output:
	// ddm: drift at row 1024 (statistic 0.129)
	// page_hinkley: drift at row 1026 (statistic 20.829)
	// adwin: drift at row 1055 (statistic 0.151)
	// adwin: drift at row 1087 (statistic 0.531)
	// adwin: drift at row 1151 (statistic 0.725)
	// adwin window: 1008 rows, mean 0.89
}
