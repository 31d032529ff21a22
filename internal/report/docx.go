package report

import (
	"archive/zip"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// Document is a report laid out for Word (DOCX) and PDF: a title page,
// then headings, paragraphs and tables, with the page number in every
// page's footer. Every register's document exports describe themselves
// with it, so the DOCX and PDF writers are written once.
type Document struct {
	// Title and Subtitle open the title page.
	Title, Subtitle string
	// Facts are label/value lines on the title page (version, approval …).
	Facts [][2]string
	// Footer is shown at the bottom left of every page; the page number
	// ("Page N of M") sits on the right.
	Footer string
	// PageLabel and OfLabel translate the page number: "Page", "of".
	PageLabel, OfLabel string
	// Landscape lays the pages out sideways (wide tables).
	Landscape bool
	Author    string
	Created   time.Time
	Blocks    []Block
}

// Block is one element of a document's body.
type Block interface{ block() }

// Heading is a section heading; Level 1 or 2.
type Heading struct {
	Level int
	Text  string
}

// Paragraph is a run of text; line breaks are kept.
type Paragraph struct {
	Text  string
	Muted bool
}

// Table is a table whose header row repeats on every page. Widths are
// relative column widths (any unit); an empty Widths shares evenly.
type Table struct {
	Header []string
	Rows   [][]string
	Widths []int
}

func (Heading) block()   {}
func (Paragraph) block() {}
func (Table) block()     {}

// xmlText escapes s for WordprocessingML, dropping characters XML 1.0
// cannot carry.
func xmlText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r != 0xFFFE && r != 0xFFFF {
			return r
		}
		return -1
	}, s)
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// runs renders text as runs, turning line breaks into <w:br/>.
func runs(text string, props string) string {
	var b strings.Builder
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		b.WriteString("<w:r>" + props)
		if i > 0 {
			b.WriteString("<w:br/>")
		}
		b.WriteString(`<w:t xml:space="preserve">` + xmlText(line) + `</w:t></w:r>`)
	}
	return b.String()
}

func para(style, text string) string {
	p := "<w:p>"
	if style != "" {
		p += `<w:pPr><w:pStyle w:val="` + style + `"/></w:pPr>`
	}
	return p + runs(text, "") + "</w:p>"
}

// page sizes in twentieths of a point (A4).
const (
	a4Short = 11906
	a4Long  = 16838
	margin  = 1134 // 2 cm
)

// WriteDOCX writes d as a Word document (Office Open XML) that Word and
// LibreOffice open without complaint: styles for the title and headings,
// a title page, tables with repeating header rows and a footer with
// PAGE/NUMPAGES fields.
func WriteDOCX(w io.Writer, d Document) error {
	if d.Created.IsZero() {
		d.Created = time.Now()
	}
	if d.PageLabel == "" {
		d.PageLabel, d.OfLabel = "Page", "of"
	}
	width, height, orient := a4Short, a4Long, ""
	if d.Landscape {
		width, height, orient = a4Long, a4Short, ` w:orient="landscape"`
	}
	text := width - 2*margin

	var body strings.Builder
	body.WriteString(para("Title", d.Title))
	if d.Subtitle != "" {
		body.WriteString(para("Subtitle", d.Subtitle))
	}
	if len(d.Facts) > 0 {
		body.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblLook w:val="0000"/></w:tblPr><w:tblGrid><w:gridCol w:w="3000"/><w:gridCol w:w="6000"/></w:tblGrid>`)
		for _, f := range d.Facts {
			body.WriteString(`<w:tr><w:tc><w:tcPr><w:tcW w:w="3000" w:type="dxa"/></w:tcPr><w:p>` + runs(f[0], "<w:rPr><w:b/></w:rPr>") +
				`</w:p></w:tc><w:tc><w:tcPr><w:tcW w:w="6000" w:type="dxa"/></w:tcPr><w:p>` + runs(f[1], "") + `</w:p></w:tc></w:tr>`)
		}
		body.WriteString(`</w:tbl>`)
	}
	// The body starts on a new page after the title page.
	body.WriteString(`<w:p><w:r><w:br w:type="page"/></w:r></w:p>`)
	for _, b := range d.Blocks {
		switch x := b.(type) {
		case Heading:
			lvl := x.Level
			if lvl < 1 || lvl > 2 {
				lvl = 1
			}
			body.WriteString(para(fmt.Sprintf("Heading%d", lvl), x.Text))
		case Paragraph:
			style := ""
			if x.Muted {
				style = "Muted"
			}
			body.WriteString(para(style, x.Text))
		case Table:
			writeDocxTable(&body, x, text)
		}
	}
	body.WriteString(fmt.Sprintf(`<w:sectPr><w:footerReference w:type="default" r:id="rIdFooter"/><w:pgSz w:w="%d" w:h="%d"%s/>`+
		`<w:pgMar w:top="%d" w:right="%d" w:bottom="%d" w:left="%d" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr>`,
		width, height, orient, margin, margin, margin, margin))

	footer := `<w:ftr ` + wNS + `><w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblLook w:val="0000"/></w:tblPr>` +
		fmt.Sprintf(`<w:tblGrid><w:gridCol w:w="%d"/><w:gridCol w:w="%d"/></w:tblGrid>`, text*2/3, text-text*2/3) +
		`<w:tr><w:tc><w:tcPr><w:tcW w:w="3333" w:type="pct"/></w:tcPr><w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr>` + runs(d.Footer, "") + `</w:p></w:tc>` +
		`<w:tc><w:tcPr><w:tcW w:w="1667" w:type="pct"/></w:tcPr><w:p><w:pPr><w:pStyle w:val="Footer"/><w:jc w:val="right"/></w:pPr>` +
		runs(d.PageLabel+" ", "") + `<w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>` +
		runs(" "+d.OfLabel+" ", "") + `<w:fldSimple w:instr=" NUMPAGES "><w:r><w:t>1</w:t></w:r></w:fldSimple></w:p></w:tc></w:tr></w:tbl></w:ftr>`

	created := d.Created.UTC().Format(time.RFC3339)
	files := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/><Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>`},
		{"word/_rels/document.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rIdSettings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/><Relationship Id="rIdFooter" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/></Relationships>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document ` + wNS + `><w:body>` + body.String() + `</w:body></w:document>`},
		{"word/styles.xml", docxStyles},
		{"word/settings.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings ` + wNS + `><w:updateFields w:val="true"/><w:defaultTabStop w:val="720"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>`},
		{"word/footer1.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
` + footer},
		{"docProps/core.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>` + xmlText(d.Title) + `</dc:title><dc:creator>` + xmlText(d.Author) + `</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">` + created + `</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">` + created + `</dcterms:modified></cp:coreProperties>`},
		{"docProps/app.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>Holdfast</Application></Properties>`},
	}
	zw := zip.NewWriter(w)
	for _, f := range files {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: d.Created})
		if err != nil {
			return err
		}
		if _, err := io.WriteString(fw, f.body); err != nil {
			return err
		}
	}
	return zw.Close()
}

const wNS = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`

func writeDocxTable(b *strings.Builder, t Table, text int) {
	n := len(t.Header)
	if n == 0 {
		return
	}
	widths := make([]int, n)
	total := 0
	for i := range widths {
		widths[i] = 1
		if i < len(t.Widths) && t.Widths[i] > 0 {
			widths[i] = t.Widths[i]
		}
		total += widths[i]
	}
	for i := range widths {
		widths[i] = widths[i] * text / total
	}
	b.WriteString(`<w:tbl><w:tblPr><w:tblStyle w:val="Grid"/><w:tblW w:w="5000" w:type="pct"/><w:tblLayout w:type="fixed"/><w:tblLook w:val="0020"/></w:tblPr><w:tblGrid>`)
	for _, wd := range widths {
		fmt.Fprintf(b, `<w:gridCol w:w="%d"/>`, wd)
	}
	b.WriteString(`</w:tblGrid>`)
	row := func(cells []string, header bool) {
		b.WriteString(`<w:tr>`)
		if header {
			b.WriteString(`<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>`)
		}
		for i := 0; i < n; i++ {
			v := ""
			if i < len(cells) {
				v = cells[i]
			}
			fmt.Fprintf(b, `<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/>`, widths[i])
			props := ""
			if header {
				b.WriteString(`<w:shd w:val="clear" w:color="auto" w:fill="E8ECEF"/>`)
				props = "<w:rPr><w:b/></w:rPr>"
			}
			b.WriteString(`</w:tcPr><w:p><w:pPr><w:pStyle w:val="TableText"/></w:pPr>` + runs(v, props) + `</w:p></w:tc>`)
		}
		b.WriteString(`</w:tr>`)
	}
	row(t.Header, true)
	for _, r := range t.Rows {
		row(r, false)
	}
	b.WriteString(`</w:tbl><w:p/>`)
}

const docxStyles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="Calibri" w:cs="Calibri"/><w:sz w:val="20"/><w:szCs w:val="20"/><w:lang w:val="en-GB"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:before="2400" w:after="240"/></w:pPr><w:rPr><w:b/><w:color w:val="1F2A33"/><w:sz w:val="52"/><w:szCs w:val="52"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:after="480"/></w:pPr><w:rPr><w:color w:val="4A5560"/><w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="360" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:color w:val="1F2A33"/><w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="80"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:color w:val="1F2A33"/><w:sz w:val="26"/><w:szCs w:val="26"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Muted"><w:name w:val="Muted"/><w:basedOn w:val="Normal"/><w:rPr><w:color w:val="5A6570"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="TableText"><w:name w:val="Table Text"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="17"/><w:szCs w:val="17"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0"/></w:pPr><w:rPr><w:color w:val="5A6570"/><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr></w:style>
<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
<w:style w:type="table" w:styleId="Grid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="8A939B"/><w:left w:val="single" w:sz="4" w:space="0" w:color="8A939B"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="8A939B"/><w:right w:val="single" w:sz="4" w:space="0" w:color="8A939B"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="C5CBD0"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="C5CBD0"/></w:tblBorders><w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="80" w:type="dxa"/><w:bottom w:w="40" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
</w:styles>`
