package preflight

import (
	"context"
	"errors"
	"fmt"

	"github.com/pdfcpu/pdfcpu/pkg/filter"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// errPagesMissing reports a page tree that does not hold what it promises.
var errPagesMissing = errors.New("pages or page content missing")

// checkPages walks the page tree as it is in the file, before pdfcpu's
// relaxed validation repairs it: pdfcpu treats references to objects that
// are not in the file as null and puts a blank page in place of a missing
// one, so a file that lost objects would otherwise pass with the page count
// intact. checkPages fails when a page, a page's content stream or one of its
// images is missing, or when a Flate content stream is not zlib data (for
// example still encrypted because the encryption dictionary was lost).
// It stops with ctx's error when ctx is done.
func checkPages(ctx context.Context, xt *model.XRefTable) error {
	root, err := xt.Catalog()
	if err != nil {
		return err
	}
	w := pageWalker{ctx: ctx, xt: xt, seen: map[int]bool{}}
	return w.node(root["Pages"], nil, 0)
}

type pageWalker struct {
	ctx   context.Context
	xt    *model.XRefTable
	seen  map[int]bool
	pages int
}

func (w *pageWalker) node(o types.Object, res types.Dict, depth int) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	if depth > maxWalkDepth {
		return fmt.Errorf("%w: page tree too deep", errPagesMissing)
	}
	if ir, ok := o.(types.IndirectRef); ok {
		nr := ir.ObjectNumber.Value()
		if w.seen[nr] {
			return fmt.Errorf("%w: page tree loops through object %d", errPagesMissing, nr)
		}
		w.seen[nr] = true
	}
	d, err := w.xt.DereferenceDict(o)
	if err != nil {
		return err
	}
	if d == nil {
		return fmt.Errorf("%w: page tree node %v", errPagesMissing, o)
	}
	if r, err := w.xt.DereferenceDict(d["Resources"]); err == nil && r != nil {
		res = r
	}
	if t := d.Type(); (t != nil && *t == "Pages") || (t == nil && d["Kids"] != nil) {
		kids, err := w.xt.DereferenceArray(d["Kids"])
		if err != nil {
			return err
		}
		for _, kid := range kids {
			if kid == nil {
				continue // pdfcpu skips null kids too
			}
			if err := w.node(kid, res, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	w.pages++
	if err := w.contents(d["Contents"]); err != nil {
		return fmt.Errorf("page %d: %w", w.pages, err)
	}
	if err := w.images(res); err != nil {
		return fmt.Errorf("page %d: %w", w.pages, err)
	}
	return nil
}

// contents checks that the page's content streams are there. A page without
// /Contents is blank, which is allowed.
func (w *pageWalker) contents(o types.Object) error {
	if o == nil {
		return nil
	}
	c, err := w.xt.Dereference(o)
	if err != nil {
		return err
	}
	streams := types.Array{c}
	if a, ok := c.(types.Array); ok {
		streams = a
	}
	for _, s := range streams {
		s, err := w.xt.Dereference(s)
		if err != nil {
			return err
		}
		sd, ok := s.(types.StreamDict)
		if !ok {
			return fmt.Errorf("%w: content stream", errPagesMissing)
		}
		if len(sd.FilterPipeline) > 0 && sd.FilterPipeline[0].Name == filter.Flate && !zlibHeader(sd.Raw) {
			return fmt.Errorf("%w: content stream is not Flate data", errPagesMissing)
		}
	}
	return nil
}

// images checks that every XObject (scanned page images, forms) named in the
// page's resources is in the file.
func (w *pageWalker) images(res types.Dict) error {
	if res == nil {
		return nil
	}
	xobjects, err := w.xt.DereferenceDict(res["XObject"])
	if err != nil || xobjects == nil {
		return err
	}
	for name, o := range xobjects {
		x, err := w.xt.Dereference(o)
		if err != nil {
			return err
		}
		if _, ok := x.(types.StreamDict); !ok {
			return fmt.Errorf("%w: XObject %s", errPagesMissing, name)
		}
	}
	return nil
}

// zlibHeader reports whether b starts with a valid zlib header (RFC 1950).
func zlibHeader(b []byte) bool {
	return len(b) >= 2 && b[0]&0x0f == 8 && b[0]>>4 <= 7 && (uint16(b[0])<<8|uint16(b[1]))%31 == 0
}
