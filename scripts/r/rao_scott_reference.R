# Reference values for the Rao-Scott test and for Holm/BH families with untestable comparisons,
# from R's survey package, on a real dataset: apistrat (California schools, shipped with survey).
#
#   Rscript scripts/r/rao_scott_reference.R     (from the repository root)
#
# Writes tests/fixtures/api/apistrat.csv (the columns the tests use; answers as Yes/No text)
# and tests/fixtures/api/rao_scott_expected.csv:
#
#   kind "rest": svychisq(~y + in_group, des, statistic = "F")   a group against the rest
#                svyttest(y ~ in_group, des)                      the default design t test
#   kind "pair": svychisq(~y + g, subset(des, g %in% c(a, b)), statistic = "F")
#                svyttest(y ~ g, subset(des, g %in% c(a, b)))
#
# des is svydesign(ids = ~1, weights = ~pw) (weights only, as the app's designs). Grouping by
# county (cname) gives groups at 0% and 100% and pairs both at 0% or both at 100%.
# p_used is the p-value the app's default test reports: NA where both sides are 0% or both
# 100% (svyttest gives NaN: untestable), Rao-Scott where either side is 0% or 100%, else the
# t test's. holm and bh are p.adjust(p_used) within one question and one grouping (p.adjust
# leaves NA out of the family).
suppressMessages(library(survey))
options(digits = 15)
data(api)
d <- apistrat
yes <- function(x) ifelse(x, "Yes", "No")
out <- data.frame(id = d$cds, stype = as.character(d$stype), cname = as.character(d$cname), pw = d$pw,
                  high_api = yes(d$api00 > 800), sch_wide = as.character(d$sch.wide),
                  awards = as.character(d$awards), growth_50 = yes(d$api00 - d$api99 > 50),
                  stringsAsFactors = FALSE)
write.csv(out, "tests/fixtures/api/apistrat.csv", row.names = FALSE)
questions <- c("high_api", "sch_wide", "awards", "growth_50")
for (q in questions) out[[paste0("y_", q)]] <- as.numeric(out[[q]] == "Yes")
des <- svydesign(ids = ~1, weights = ~pw, data = out)

rows <- list()
add <- function(...) rows[[length(rows) + 1]] <<- data.frame(..., stringsAsFactors = FALSE)
for (by in c("stype", "cname")) for (q in questions) {
  y <- paste0("y_", q)
  labels <- sort(unique(out[[by]]))
  p_of <- sapply(labels, function(a) { s <- out[[by]] == a; sum(out$pw[s] * out[[y]][s]) / sum(out$pw[s]) })
  for (a in labels) {
    des$variables$g <- out[[by]] == a
    rs <- suppressWarnings(svychisq(as.formula(paste0("~", y, " + g")), des, statistic = "F"))
    tt <- suppressWarnings(svyttest(as.formula(paste0(y, " ~ g")), des))
    rest <- sum(out$pw[out[[by]] != a] * out[[y]][out[[by]] != a]) / sum(out$pw[out[[by]] != a])
    add(kind = "rest", question = q, by = by, group_a = a, group_b = "rest", p_a = p_of[[a]], p_b = rest,
        F = unname(rs$statistic), ddf = unname(rs$parameter[2]), p_rao_scott = rs$p.value,
        p_ttest = unname(tt$p.value))
  }
  for (i in seq_along(labels)) for (j in seq_along(labels)) if (i < j) {
    a <- labels[i]; b <- labels[j]
    des$variables$g <- out[[by]]
    sub <- subset(des, g %in% c(a, b))
    # both at 0% (or both at 100%): y has one level in the subset and R stops: untestable
    rs <- tryCatch(suppressWarnings(svychisq(as.formula(paste0("~", y, " + g")), sub, statistic = "F")),
                   error = function(e) list(statistic = NA, parameter = c(NA, NA), p.value = NA))
    tt <- tryCatch(suppressWarnings(svyttest(as.formula(paste0(y, " ~ g")), sub)),
                   error = function(e) list(p.value = NA))
    add(kind = "pair", question = q, by = by, group_a = a, group_b = b, p_a = p_of[[a]], p_b = p_of[[b]],
        F = unname(rs$statistic), ddf = unname(rs$parameter[2]), p_rao_scott = rs$p.value,
        p_ttest = unname(tt$p.value))
  }
}
res <- do.call(rbind, rows)
edge <- function(p) p == 0 | p == 1
untestable <- (res$p_a == 0 & res$p_b == 0) | (res$p_a == 1 & res$p_b == 1)
# One school at 0% against one of the same weight at 100% has no variance at all: F is infinite
# and R's p-value is rounding (NaN or about 5e-17); the app reports 0 there, so p_used does too.
no_variance <- !untestable & (is.na(res$p_rao_scott) | res$p_rao_scott < 1e-15) & edge(res$p_a) & edge(res$p_b)
res$p_used <- ifelse(untestable, NA, ifelse(no_variance, 0,
                     ifelse(edge(res$p_a) | edge(res$p_b), res$p_rao_scott, res$p_ttest)))
res$holm <- NA; res$bh <- NA
for (key in unique(paste(res$kind, res$question, res$by))) {
  s <- paste(res$kind, res$question, res$by) == key
  res$holm[s] <- p.adjust(res$p_used[s], "holm")
  res$bh[s] <- p.adjust(res$p_used[s], "BH")
}
write.csv(res, "tests/fixtures/api/rao_scott_expected.csv", row.names = FALSE, na = "")
cat(sprintf("survey %s: %d reference rows; %d untestable, %d at 0%% or 100%% on one side\n",
            packageVersion("survey"), nrow(res), sum(untestable),
            sum(!untestable & (edge(res$p_a) | edge(res$p_b)))))
