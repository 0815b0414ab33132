package sru

import (
	"strings"

	"github.com/illdesk/illdesk/domain"
)

// Query is one search of a lookup: what it searches by and its CQL.
type Query struct {
	By  string
	CQL string
}

// Queries are the searches for a citation, in the order tried: ISSN, ISBN,
// OCLC number (only when an index for it is set), then the title, with the
// author for a book. A citation without the value of a step skips it.
func Queries(c domain.Citation, idx domain.SRUIndexes) []Query {
	var out []Query
	add := func(by, index, value string) {
		if value = strings.TrimSpace(value); value != "" && index != "" {
			out = append(out, Query{By: by, CQL: index + "=" + Term(value)})
		}
	}
	add("issn", idx.ISSN, c.ISSN)
	add("isbn", idx.ISBN, strings.ReplaceAll(c.ISBN, "-", ""))
	add("oclc", idx.OCLC, strings.TrimPrefix(strings.TrimPrefix(c.OCLC, "(OCoLC)"), "ocm"))
	title := c.Title
	if c.Journal != "" {
		title = c.Journal
	}
	title = mainTitle(title)
	if title != "" && idx.Title != "" {
		cql := idx.Title + "=" + Term(title)
		if author := strings.TrimSpace(c.Author); author != "" && idx.Author != "" && c.Journal == "" && c.ArticleTitle == "" {
			cql += " and " + idx.Author + "=" + Term(author)
		}
		out = append(out, Query{By: "title", CQL: cql})
	}
	return out
}

// mainTitle is a title without its subtitle or statement of
// responsibility, which catalogues record in other subfields.
func mainTitle(t string) string {
	for _, sep := range []string{" : ", ": ", " / ", " = "} {
		if i := strings.Index(t, sep); i > 0 {
			t = t[:i]
		}
	}
	return strings.TrimSpace(strings.TrimRight(strings.TrimSpace(t), ".,;/:="))
}

// Term is a CQL search term in double quotes, with quotes, backslashes and
// the masking characters (* ? ^) escaped so they are searched as written.
func Term(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range strings.Join(strings.Fields(s), " ") {
		if strings.ContainsRune(`"\*?^`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}
