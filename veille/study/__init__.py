"""A study, written up: indicator series of a period composed into one report (``veille study``
and the button of an indicator's page). :mod:`~veille.study.report` reads the series through the
archive and lays out what the report says (sections, conflicts and how they were settled,
sources); :mod:`~veille.study.files` writes it as HTML (:mod:`~veille.study.page`), PNG charts
(:mod:`~veille.study.pictures`), an editable DOCX (:mod:`~veille.study.document`) and a PDF
printed by headless Chromium (:mod:`~veille.study.printing`)."""
