package i18n

// API texts (problem details and field messages huma's own checks raise)
// and the labels of exported reports.
func init() {
	register(English, map[string]string{
		"api.no_route":               "There is no API endpoint at this address. The OpenAPI document at /api/v1/openapi.json lists them all.",
		"api.bad_request":            "The request could not be read.",
		"api.body_required":          "This request needs a JSON body.",
		"api.unsupported_media_type": "Send the body as application/json.",
		"api.not_acceptable":         "This endpoint cannot answer in any format the Accept header allows.",
		"api.unknown_field":          "This field does not exist here. Remove it; field names are snake_case.",
		"api.unknown_parameter":      "This parameter or filter does not exist here.",
		"api.too_long":               "Use at most %s characters.",
		"api.min_number":             "Enter a number of at least %s.",
		"api.max_number":             "Enter a number of at most %s.",
		"api.type.string":            "Send text (a JSON string).",
		"api.type.integer":           "Send a whole number.",
		"api.type.number":            "Send a number.",
		"api.type.boolean":           "Send true or false.",
		"api.type.object":            "Send a JSON object.",
		"api.type.array":             "Send a JSON array.",

		// Report labels.
		"report.people":             "People",
		"report.updated_at":         "Last changed",
		"report.about":              "About",
		"report.about.organisation": "Organisation",
		"report.about.register":     "Register",
		"report.about.exported_at":  "Exported at",
		"report.about.time_zone":    "Time zone",
		"report.about.records":      "Records",
		"report.about.version":      "Holdfast version",
	})
}
