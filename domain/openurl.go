package domain

import (
	"net/url"
	"strings"
)

// OpenURL is the OpenURL 1.0 link (Z39.88-2004, key/encoded-value) asking
// the link resolver at base for the citation: a journal article when the
// citation names a journal, an ISSN or an article, else a book (a chapter
// when it names one).
func OpenURL(base string, c Citation) string {
	var kv []string
	add := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" {
			kv = append(kv, k+"="+url.QueryEscape(v))
		}
	}
	add("url_ver", "Z39.88-2004")
	add("ctx_ver", "Z39.88-2004")
	add("rfr_id", "info:sid/illdesk")
	journal := c.Journal != "" || c.ISSN != ""
	if journal {
		add("rft_val_fmt", "info:ofi/fmt:kev:mtx:journal")
		if c.ArticleTitle != "" {
			add("rft.genre", "article")
		} else {
			add("rft.genre", "journal")
		}
		add("rft.atitle", c.ArticleTitle)
		jtitle := c.Journal
		if jtitle == "" {
			jtitle = c.Title
		}
		add("rft.jtitle", jtitle)
		add("rft.issn", c.ISSN)
	} else {
		add("rft_val_fmt", "info:ofi/fmt:kev:mtx:book")
		if c.ArticleTitle != "" {
			add("rft.genre", "bookitem")
			add("rft.atitle", c.ArticleTitle)
		} else {
			add("rft.genre", "book")
		}
		add("rft.btitle", c.Title)
		add("rft.isbn", c.ISBN)
	}
	add("rft.au", c.Author)
	add("rft.date", c.Year)
	add("rft.volume", c.Volume)
	add("rft.issue", c.Number)
	if first, last, ok := strings.Cut(c.Pages, "-"); ok && strings.TrimSpace(first) != "" && strings.TrimSpace(last) != "" {
		add("rft.spage", first)
		add("rft.epage", last)
	}
	add("rft.pages", c.Pages)
	if c.DOI != "" {
		add("rft_id", "info:doi/"+strings.TrimPrefix(strings.TrimPrefix(c.DOI, "https://doi.org/"), "doi:"))
	}
	if c.OCLC != "" {
		add("rft_id", "info:oclcnum/"+c.OCLC)
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
		if strings.HasSuffix(base, "?") || strings.HasSuffix(base, "&") {
			sep = ""
		}
	}
	return base + sep + strings.Join(kv, "&")
}
