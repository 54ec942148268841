# Reference values for the tab book (every answer by group, and the column letters), from R's survey package.
#
#   Rscript scripts/r/tabbook_reference.R     (from the repository root)
#
# Writes tests/fixtures/tabbook_api.csv: R survey's apistrat (200 Californian schools),
# renamed to plain column names, with one four-answer question made from api00
# (api_band), and tests/fixtures/tabbook_api_expected.csv:
#
#   kind "share":  svymean(~I(answer == a), subset(des, group))   every question x answer (and the
#                  positive net) x break group, the question's base being its answered rows
#   kind "letter": the letters of the groups each cell is significantly higher than:
#                  svyttest(y ~ pair, subset(des, pair %in% c(a, b))) for every pair in the break,
#                  p.adjust(method = "holm") within each question x answer x break, p < 0.05
#
# des is svydesign(ids = ~1, weights = ~pw): the engine's design (weights only, with
# replacement); apistrat's strata are not used. Breaks: school_type (a codebook break
# column: E, H, M, letters A, B, C) and the question sch_wide (its answers Yes, No, letters A, B).
suppressMessages(library(survey))
options(digits = 15)
data(api)

d <- data.frame(
  school = apistrat$snum, pw = apistrat$pw, school_type = as.character(apistrat$stype),
  sch_wide = as.character(apistrat$sch.wide), comp_imp = as.character(apistrat$comp.imp),
  both = as.character(apistrat$both), awards = as.character(apistrat$awards),
  yr_rnd = as.character(apistrat$yr.rnd),
  api_band = as.character(cut(apistrat$api00, c(0, 600, 700, 800, 1000), right = FALSE,
                              labels = c("Under 600", "600 to 699", "700 to 799", "800 and over"))),
  stringsAsFactors = FALSE)
write.csv(d, "tests/fixtures/tabbook_api.csv", row.names = FALSE, na = "")

questions <- list(sch_wide = "Yes", comp_imp = "Yes", both = "Yes", awards = "Yes", yr_rnd = "No",
                  api_band = c("800 and over", "700 to 799"))
breaks <- list(school_type = c("E", "H", "M"), sch_wide = c("Yes", "No"))
des <- svydesign(ids = ~1, weights = ~pw, data = d)

rows <- list()
add <- function(...) rows[[length(rows) + 1]] <<- data.frame(..., stringsAsFactors = FALSE)

for (q in names(questions)) {
  answers <- c(sort(unique(d[[q]])), "Positive net")
  for (a in answers) {
    wanted <- if (a == "Positive net") questions[[q]] else a
    des$variables$y <- as.numeric(des$variables[[q]] %in% wanted)
    m <- svymean(~y, des)
    add(kind = "share", question = q, answer = a, by = "total", group = "Total", n = nrow(d),
        p = unname(coef(m)), se = unname(SE(m)), higher_than = "")
    for (by in names(breaks)) {
      labels <- breaks[[by]]
      letters_of <- setNames(LETTERS[seq_along(labels)], labels)
      for (grp in labels) {
        inside <- des$variables[[by]] == grp  # a logical vector: no column name can shadow it
        m <- svymean(~y, subset(des, inside))
        add(kind = "share", question = q, answer = a, by = by, group = grp, n = sum(inside),
            p = unname(coef(m)), se = unname(SE(m)), higher_than = NA)
      }
      pairs <- t(combn(labels, 2))
      stat <- p_value <- numeric(nrow(pairs))
      for (k in seq_len(nrow(pairs))) {
        des$variables$pair <- factor(des$variables[[by]], levels = pairs[k, ])
        sub <- subset(des, !is.na(des$variables$pair))
        r <- suppressWarnings(svyttest(y ~ pair, sub))
        # svyttest's estimate is mean(second level) - mean(first level)
        stat[k] <- -unname(r$statistic); p_value[k] <- unname(r$p.value)
      }
      p_adj <- p.adjust(p_value, method = "holm")
      for (grp in labels) {
        beaten <- c()
        for (k in seq_len(nrow(pairs))) {
          if (is.na(p_adj[k]) || p_adj[k] >= 0.05) next
          winner <- if (stat[k] > 0) pairs[k, 1] else pairs[k, 2]
          loser <- if (stat[k] > 0) pairs[k, 2] else pairs[k, 1]
          if (winner == grp) beaten <- c(beaten, letters_of[[loser]])
        }
        add(kind = "letter", question = q, answer = a, by = by, group = grp, n = NA, p = NA, se = NA,
            higher_than = paste(sort(beaten), collapse = ""))
      }
    }
  }
}
write.csv(do.call(rbind, rows), "tests/fixtures/tabbook_api_expected.csv", row.names = FALSE, na = "")
