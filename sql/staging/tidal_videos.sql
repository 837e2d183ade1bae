-- model: staging.tidal_videos
-- key: video_id
-- assert: not_null(title)
-- One row per TIDAL video, wherever an answer has one (`/videos?filter[id]=`, an
-- album's items), but a search's hits. A video is another recording than its song
-- (a lyric video has an ISRC of its own, USUMV2400558 in the GB recording), so videos
-- stay out of the track items: they are listed here only. Placed on an album as the
-- album's answers place its tracks (`whole`).
-- merge: by whole, then newest
select
    id as video_id,
    album_id,
    volume_number,
    track_number,
    attributes ->> 'title' as title,
    nullif(attributes ->> 'version', '') as version,
    nullif(attributes ->> 'isrc', '') as isrc_raw,
    norm_isrc(attributes ->> 'isrc') as isrc,
    duration_ms,
    nullif(attributes ->> 'releaseDate', '') as release_date,
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
where type = 'videos' and resource <> 'artist_search'
