-- model: staging.tidal_tracks
-- key: track_id
-- assert: not_null(title)
-- One row per TIDAL track: the tracks an album's lookup includes, those of the pages
-- of its items (`/albums/{album_id}/relationships/items`), and tracks asked by ISRC
-- (`/tracks?filter[isrc]=`). An album's answers place the track (`whole`): its album,
-- `volume_number` and `track_number` from the items' `meta`. A track asked by ISRC
-- names its album only by its `albums` relationship (a guess: no recording of that
-- answer was found).
-- Videos among an album's items are in staging.tidal_videos, not here: a video is
-- another recording, with an ISRC of its own.
-- `title` is without `version` ("Remastered", "Live"), as TIDAL keeps them apart.
-- merge: by whole, then newest
select
    id as track_id,
    album_id,
    volume_number,
    track_number,
    attributes ->> 'title' as title,
    nullif(attributes ->> 'version', '') as version,
    nullif(attributes ->> 'isrc', '') as isrc_raw,
    norm_isrc(attributes ->> 'isrc') as isrc,
    duration_ms,
    try_cast(attributes ->> 'explicit' as boolean) as explicit,
    try_cast(attributes ->> 'popularity' as double) as popularity,
    copyright,
    url,
    artist_id,
    artist_credit,
    fetched_at,
    raw_file,
    (track_number is not null)::integer as whole
from staging.tidal_resources
where type = 'tracks' and resource in ('albums', 'albums_by_barcode', 'album_items', 'tracks_by_isrc')
