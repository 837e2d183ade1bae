-- model: intermediate.track_items
-- key: provider, item_id
-- assert: not_null(title)
-- Every provider's tracks (MusicBrainz: recordings) in one shape, as given (the linker
-- reads titles and credits itself), gathered from each provider's
-- `staging.<provider>_track_items`. `release_item_id` is the release the track was seen
-- on (one of them, for a recording on several).
select
    provider,
    item_id,
    release_item_id,
    title,
    artist,
    duration_ms,
    popularity,
    -- The provider's comment that tells versions apart, as given: the linker reads it.
    nullif(disambiguation, '') as disambiguation,
    url,
    -- The lake file the item was read from.
    raw_file,
    -- An editor-curated database's item, read first where members tie.
    coalesce(curated, false) as curated
from staging.track_items
where item_id is not null
