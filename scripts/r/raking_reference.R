# Reference values for raking (calibrate(calfun = "raking")) from R's survey package, on two real
# datasets shipped with it: apistrat (two margins) and apiclus1 (three margins), raked to the
# population counts of apipop (every California school).
#
#   Rscript scripts/r/raking_reference.R     (from the repository root)
#
# Writes, under tests/fixtures/api/:
#   <data>_rake.csv          the columns the tests use (answers as Yes/No text, margins as labels)
#   <data>_targets.csv       variable,category,target: apipop's counts of each margin's categories
#   <data>_raked_weights.csv id, rake_weight: weights(calibrate(...))
#   <data>_raked_expected.csv
#     kind "domain": svymean(~y, subset(cal, group == a)) p and se (the total as group "Total")
#     kind "rest":   svyttest(y ~ in_group, cal) t, df, p     (a group against the rest)
#     kind "rao-scott": svychisq(~y + in_group, cal, statistic = "F") F, ddf, p
#     kind "pair": svyttest(y ~ g, cal) with g NA outside the two groups (a calibrated design keeps
#                  every respondent in a subset), t of a - b, df, p;  "pair-rao-scott": svychisq(~y + g, cal)
# cal = calibrate(svydesign(ids = ~1, weights = ~pw, data), ~m1 + m2 [+ m3], population = pop,
#                 calfun = "raking", epsilon = 1e-12, maxit = 500)
# (weights only, as the app's designs; the tight epsilon makes R's raking converge as far as the app's).
suppressMessages(library(survey))
options(digits = 15)
data(api)
band <- function(enroll) as.character(cut(enroll, c(-Inf, 400, 800, Inf), labels = c("small", "medium", "large")))
meals_band <- function(meals) as.character(cut(meals, c(-Inf, 25, 60, Inf), labels = c("low", "middle", "high")))
yes <- function(x) ifelse(x, "Yes", "No")
prepare <- function(d) data.frame(
  id = d$cds, stype = as.character(d$stype), size = band(d$enroll), meals = meals_band(d$meals),
  pw = d$pw, high_api = yes(d$api00 > 700), sch_wide = as.character(d$sch.wide),
  awards = as.character(d$awards), growth_50 = yes(d$api00 - d$api99 > 50), stringsAsFactors = FALSE)
pop <- data.frame(stype = as.character(apipop$stype), size = band(apipop$enroll),
                  meals = meals_band(apipop$meals), stringsAsFactors = FALSE)
pop <- pop[!is.na(pop$size) & !is.na(pop$meals), ]  # schools with no enrolment recorded are left out
questions <- c("high_api", "sch_wide", "awards", "growth_50")

run <- function(name, d, margins) {
  d <- d[!is.na(d$size), ]
  write.csv(d, sprintf("tests/fixtures/api/%s_rake.csv", name), row.names = FALSE)
  targets <- do.call(rbind, lapply(margins, function(m) {
    t <- table(pop[[m]]); data.frame(variable = m, category = names(t), target = as.numeric(t))
  }))
  write.csv(targets, sprintf("tests/fixtures/api/%s_targets.csv", name), row.names = FALSE)
  for (m in margins) d[[m]] <- factor(d[[m]], levels = names(table(pop[[m]])))
  for (q in questions) d[[paste0("y_", q)]] <- as.numeric(d[[q]] == "Yes")
  des <- svydesign(ids = ~1, weights = ~pw, data = d)
  formula <- as.formula(paste("~", paste(margins, collapse = " + ")))
  mm <- model.matrix(formula, pop)
  population <- colSums(mm)
  cal <- calibrate(des, formula, population = population, calfun = "raking", epsilon = 1e-12, maxit = 500)
  write.csv(data.frame(id = d$id, rake_weight = weights(cal)),
            sprintf("tests/fixtures/api/%s_raked_weights.csv", name), row.names = FALSE)
  rows <- list()
  add <- function(...) rows[[length(rows) + 1]] <<- data.frame(..., stringsAsFactors = FALSE)
  for (q in questions) {
    y <- paste0("y_", q)
    m <- svymean(as.formula(paste0("~", y)), cal)
    add(kind = "domain", question = q, by = "total", group = "Total", p = unname(coef(m)), se = unname(SE(m)),
        stat = NA, df = NA, p_value = NA)
    for (by in c("stype", "size")) for (a in levels(factor(as.character(d[[by]])))) {
      m <- svymean(as.formula(paste0("~", y)), subset(cal, as.character(get(by)) == a))
      add(kind = "domain", question = q, by = by, group = a, p = unname(coef(m)), se = unname(SE(m)),
          stat = NA, df = NA, p_value = NA)
      cal$variables$g <- as.character(d[[by]]) == a
      tt <- svyttest(as.formula(paste0(y, " ~ g")), cal)
      add(kind = "rest", question = q, by = by, group = a, p = NA, se = NA,
          stat = unname(tt$statistic), df = unname(tt$parameter), p_value = unname(tt$p.value))
      rs <- suppressWarnings(svychisq(as.formula(paste0("~", y, " + g")), cal, statistic = "F"))
      add(kind = "rao-scott", question = q, by = by, group = a, p = NA, se = NA,
          stat = unname(rs$statistic), df = unname(rs$parameter[2]), p_value = rs$p.value)
    }
    for (by in c("stype", "size")) {
    labels <- levels(factor(as.character(d[[by]])))
    for (i in seq_along(labels)) for (j in seq_along(labels)) if (i < j) {
      a <- labels[i]; b <- labels[j]
      cal$variables$g <- ifelse(as.character(d[[by]]) %in% c(a, b), as.character(d[[by]]) == b, NA)
      tt <- svyttest(as.formula(paste0(y, " ~ g")), cal)  # the estimate is mean(b) - mean(a): flipped
      add(kind = "pair", question = q, by = by, group = paste(a, b, sep = " - "), p = NA, se = NA,
          stat = -unname(tt$statistic), df = unname(tt$parameter), p_value = unname(tt$p.value))
      rs <- suppressWarnings(svychisq(as.formula(paste0("~", y, " + g")), cal, statistic = "F"))
      add(kind = "pair-rao-scott", question = q, by = by, group = paste(a, b, sep = " - "), p = NA, se = NA,
          stat = unname(rs$statistic), df = unname(rs$parameter[2]), p_value = rs$p.value)
    }
    }
  }
  out <- do.call(rbind, rows)
  write.csv(out, sprintf("tests/fixtures/api/%s_raked_expected.csv", name), row.names = FALSE, na = "")
  cat(sprintf("%s: %d rows, margins %s, %d reference rows\n", name, nrow(d), paste(margins, collapse = "+"),
              nrow(out)))
}
run("apistrat", prepare(apistrat), c("stype", "size"))
run("apiclus1", prepare(apiclus1), c("stype", "size", "meals"))
cat(sprintf("survey %s\n", packageVersion("survey")))
