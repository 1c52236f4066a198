package pyscript_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"

	"github.com/eddyml/eddy/flows/pyscript"
)

// A notebook kernel receives the plots a cell draws through the display
// of its context.
func ExampleWithDisplay() {
	ctx := pyscript.WithDisplay(context.Background(), func(data map[string][]byte) {
		img, err := png.Decode(bytes.NewReader(data["image/png"]))
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println("shown", img.Bounds().Dx(), "x", img.Bounds().Dy())
	})
	src := `import eddy
eddy.plot_line([1, 2, 3], {"loss": [0.9, 0.5, 0.4]}, title="loss", width=320, height=200)
`
	if _, err := pyscript.RunSource(ctx, src, "plot.py", &pyscript.Options{Stdout: os.Stdout}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// shown 320 x 200
}
