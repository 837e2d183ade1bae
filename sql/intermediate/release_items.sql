-- model: intermediate.release_items
-- materialized: view
-- key: provider, item_id
-- assert: not_null(title)
-- Every provider's releases in one shape, as given: the linker reads titles, credits
-- and disambiguations itself (liner-link's `prepare`), once, so no reading of them is
-- kept here. `popularity` is the provider's own measure (fans, listeners, ...),
-- comparable only within a provider. Each provider's staging gives its releases in
-- this shape (`staging.<provider>_release_items`), and liner gathers them into
-- staging.release_items. A view: it only puts the staging tables side by side, and its
-- readers scan them as fast as they would scan a copy (the million's copy took 1.7 s to
-- write).
select
    provider,
    item_id,
    title,
    artist,
    gtin,
    release_date,
    try_cast(left(release_date, 4) as integer) as year,
    track_count,
    popularity,
    -- The provider's comment that tells editions apart, as given: the linker reads it.
    nullif(disambiguation, '') as disambiguation,
    url,
    -- The lake file the item was read from.
    raw_file,
    -- An editor-curated database's item, read first where members tie.
    coalesce(curated, false) as curated,
    -- Announced and not out yet, where the provider says so.
    coalesce(is_prerelease, false) as is_prerelease
from staging.release_items
where item_id is not null
