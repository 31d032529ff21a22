package i18n

// Texts of the JSON API for the risk register and the risk criteria.
func init() {
	register(English, map[string]string{
		"api.no_such_link":         "This risk is not linked to that record.",
		"api.risk_not_on_worklist": "This risk is not rated under an older version of the risk criteria, so there is nothing to re-rate. Change its ratings with PATCH instead.",
	})
}
