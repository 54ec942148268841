# Reference values for the Rao-Scott test of a change between two waves, from R's survey package.
#
#   Rscript scripts/r/change_rao_scott_reference.R     (from the repository root)
#
# The waves of tests/fixtures/waves (wave_2021.csv, wave_2022.csv) stacked, the wave a stratum
# (as tests/fixtures/waves/reference.R): des = svydesign(ids = ~1, strata = ~wave, weights = ~weight).
# Each group is a domain: svychisq(~y + wave, subset(des, group), statistic = "F"), with y NA
# outside the question's base (unanswered, routed out, excluded answers). To have groups at 0% and
# 100%, "aware" is also asked as "aware_zero": "No" for every Health respondent in both waves and
# for every Police respondent in 2022 (both waves at 0%, and one wave at 0%).
# Writes tests/fixtures/waves/change_rao_scott_expected.csv: question, by, group, F, ddf, p_value.
suppressMessages(library(survey))
options(digits = 15)
here <- "tests/fixtures/waves"
before <- read.csv(file.path(here, "wave_2021.csv"), stringsAsFactors = FALSE, na.strings = "")
after <- read.csv(file.path(here, "wave_2022.csv"), stringsAsFactors = FALSE, na.strings = "")
before$wave <- "2021"; after$wave <- "2022"
before$q4_new <- NA
d <- rbind(before, after)
d$q1_zero <- ifelse(d$role == "Health" | (d$role == "Police" & d$wave == "2022"), "No", d$q1_aware)
y <- function(answer, positive, base = !is.na(answer)) ifelse(base, as.numeric(answer %in% positive), NA)
d$y_aware <- y(d$q1_aware, "Yes")
d$y_aware_zero <- y(d$q1_zero, "Yes")
d$y_useful <- y(d$q2_useful, c("Very useful", "Fairly useful"), !is.na(d$q2_useful) & d$y_aware %in% 1)
d$y_agree <- y(d$q3_agree, c("Strongly agree", "Tend to agree"), !is.na(d$q3_agree) & d$q3_agree != "Don't know")
des <- svydesign(ids = ~1, strata = ~wave, weights = ~weight, data = d)
rows <- list()
for (q in c("aware", "aware_zero", "useful", "agree")) {
  groups <- c(list(c("total", "Total")), lapply(sort(unique(d$role)), function(g) c("role", g)),
              lapply(sort(unique(d$region)), function(g) c("region", g)))
  for (g in groups) {
    keep <- if (g[1] == "total") rep(TRUE, nrow(d)) else d[[g[1]]] == g[2]
    sub <- subset(des, keep)
    r <- tryCatch(suppressWarnings(svychisq(as.formula(paste0("~y_", q, " + wave")), sub, statistic = "F")),
                  error = function(e) list(statistic = NA, parameter = c(NA, NA), p.value = NA))
    rows[[length(rows) + 1]] <- data.frame(question = q, by = g[1], group = g[2], F = unname(r$statistic),
                                           ddf = unname(r$parameter[2]), p_value = r$p.value)
  }
}
out <- do.call(rbind, rows)
write.csv(out, file.path(here, "change_rao_scott_expected.csv"), row.names = FALSE, na = "")
cat(sprintf("survey %s: %d rows\n", packageVersion("survey"), nrow(out)))
