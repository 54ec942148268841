# Reference values for the design-based significance tests, from R's survey package.
#
#   Rscript scripts/r/design_tests_reference.R     (from the repository root)
#
# Builds tests/fixtures/design_survey.csv from tests/fixtures/weighted_survey.csv
# (the same 520 synthetic respondents, plus: three respondents with weight 0,
# four with no role recorded, item non-response on one question, and a routed
# question asked only of those who had heard of the Panel, whose "Don't know"
# is left out of its base), then writes tests/fixtures/design_survey_expected.csv:
#
#   kind "domain": svymean(~y, subset(des, group), na.rm = TRUE, deff = "replace")
#   kind "rest":   svyttest(y ~ in_group, des)        (in_group NA for a blank label)
#   kind "pair":   svyttest(y ~ group, subset(des, group %in% c(a, b)))
#
# des is svydesign(ids = ~1, weights = ~weight) on the respondents whose weight
# is above 0: a respondent of weight 0 is not part of the sample (R keeps such
# rows in N, the variance's N/(N-1), which the engine does not; R already leaves
# them out of the degrees of freedom and of deff's n). Respondents outside a
# question's base have y = NA: outside the domain, inside the design.
# Columns filter = "region=London" are the same tests within subset(des, region == "London").
# Signs follow the engine: diff = p(group_a) - p(group_b), t = diff / se.
suppressMessages(library(survey))
options(digits = 15)

d <- read.csv("tests/fixtures/weighted_survey.csv", stringsAsFactors = FALSE)
d$weight[d$respondent_id %in% c(7, 150)] <- 0
d$weight[d$respondent_id == min(d$respondent_id[d$role == "Business manager"])] <- 0
d$role[d$respondent_id %in% c(12, 99, 400, 480)] <- ""
set.seed(20211)
skip <- sample(nrow(d), 20)
d$panel_improves_system[skip] <- ""
know <- sample(c("Yes", "No", "Don't know"), nrow(d), replace = TRUE, prob = c(0.55, 0.35, 0.10))
d$knows_panel_role <- ifelse(d$heard_of_panel == "Yes", know, "")
write.csv(d, "tests/fixtures/design_survey.csv", row.names = FALSE, na = "")

y_of <- list(
  heard_of_panel = function(d) as.numeric(d$heard_of_panel == "Yes"),
  panel_improves_system = function(d) ifelse(d$panel_improves_system == "", NA,
                                             as.numeric(d$panel_improves_system %in% c("Strongly agree", "Tend to agree"))),
  attended_webinar = function(d) as.numeric(d$attended_webinar == "Yes"),
  knows_panel_role = function(d) ifelse(d$knows_panel_role %in% c("Yes", "No"), as.numeric(d$knows_panel_role == "Yes"), NA)
)
kept <- d[d$weight > 0, ]
for (q in names(y_of)) kept[[paste0("y_", q)]] <- y_of[[q]](kept)
kept$role_label <- ifelse(kept$role == "", NA, kept$role)
des_all <- svydesign(ids = ~1, weights = ~weight, data = kept)

rows <- list()
add <- function(...) rows[[length(rows) + 1]] <<- data.frame(..., stringsAsFactors = FALSE)

for (filter in c("", "region=London")) {
  des <- if (filter == "") des_all else subset(des_all, region == "London")
  for (q in names(y_of)) {
    f <- as.formula(paste0("y_", q, " ~ g"))
    for (by in c("role", "region")) {
      if (filter != "" && by == "region") next
      column <- if (by == "role") "role_label" else "region"
      labels <- sort(unique(na.omit(des$variables[[column]])))
      for (a in labels) {
        ok <- !is.na(des$variables[[column]]) & des$variables[[column]] == a &
              !is.na(des$variables[[paste0("y_", q)]])
        if (sum(ok) < 1) next
        sub <- subset(des, !is.na(get(column)) & get(column) == a)
        m <- svymean(as.formula(paste0("~y_", q)), sub, na.rm = TRUE, deff = "replace")
        add(kind = "domain", filter = filter, question = q, by = by, group_a = a, group_b = "",
            n = sum(ok), p = unname(coef(m)), se = unname(SE(m)), deff = unname(deff(m)),
            t = NA, df = NA, p_value = NA)
        des$variables$g <- ifelse(is.na(des$variables[[column]]), NA, des$variables[[column]] == a)
        r <- tryCatch(suppressWarnings(svyttest(f, des)), error = function(e) NULL)
        if (is.null(r)) next
        # svyttest's estimate is mean(TRUE) - mean(FALSE) = the group minus the rest
        add(kind = "rest", filter = filter, question = q, by = by, group_a = a, group_b = "rest",
            n = sum(ok), p = NA, se = NA, deff = NA,
            t = unname(r$statistic), df = unname(r$parameter), p_value = unname(r$p.value))
      }
      for (i in seq_along(labels)) for (j in seq_along(labels)) if (i < j) {
        a <- labels[i]; b <- labels[j]
        des$variables$g <- des$variables[[column]]
        sub <- subset(des, !is.na(g) & g %in% c(a, b))
        r <- tryCatch(suppressWarnings(svyttest(f, sub)), error = function(e) NULL)
        if (is.null(r)) next  # one of the two has nobody in the question's base: no test
        # the coefficient is mean(b) - mean(a) (b is the second level): flip to a - b
        add(kind = "pair", filter = filter, question = q, by = by, group_a = a, group_b = b,
            n = NA, p = NA, se = NA, deff = NA,
            t = -unname(r$statistic), df = unname(r$parameter), p_value = unname(r$p.value))
      }
    }
  }
}
out <- do.call(rbind, rows)
write.csv(out, "tests/fixtures/design_survey_expected.csv", row.names = FALSE, na = "")
cat(sprintf("survey %s: %d reference rows written\n", packageVersion("survey"), nrow(out)))
